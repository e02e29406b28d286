import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from './support/console-browser.js';
import { FakeLlm } from './support/fake-llm.js';
import type { ChatReply, ChatRequest } from './support/fake-llm.js';
import { eventually } from './support/realtime-clients.js';
import { bearer, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/** Whether a request is the memory pipeline's (structured output), not an agent turn's. */
const isExtraction = (r: ChatRequest) => r.response_format !== undefined;

describe('the web console: agents', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let browser: Browser;
  let owner: Registered;
  let foreign: Registered;
  /** Replies to agent turns, in order; extraction requests get no facts. */
  let replies: ChatReply[] = [];

  const as = (who: Registered) => bearer(who.accessToken);
  const createAgent = async (who: Registered, body: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/v1/agents')
        .set(as(who))
        .send({ name: 'helper', ...body })
        .expect(201)
    ).body as { id: string; name: string };
  const blockValue = async (agentId: string, label: string) =>
    (await t.http().get(`/api/v1/agents/${agentId}/blocks/${label}`).set(as(owner)).expect(200)).body.value as string;

  async function signedIn(who: Pick<Registered, 'email' | 'password'>, path: string): Promise<Page> {
    const { page } = await newPage(browser, t.url);
    page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
    await signIn(page, who);
    await page.goto(`/console${path}`);
    return page;
  }

  beforeAll(async () => {
    ensureConsoleBuilt();
    await llm.start();
    llm.script = (request) => {
      if (isExtraction(request))
        return request.response_format?.json_schema?.name === 'facts' ? '{"facts": []}' : '{"memory": []}';
      return replies.shift() ?? 'OK.';
    };
    t = await startTestApp(llm.env);
    browser = await launchBrowser();
    owner = await register(t, 'Agents Org');
    foreign = await register(t, 'Other Org');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await llm.stop();
  });
  beforeEach(() => {
    replies = [];
    llm.latencyMs = 0;
  });

  it('edits a block: the limit refuses an overlong value (counter over, the API’s error, nothing stored), a valid edit is saved', async () => {
    const agent = await createAgent(owner, {
      name: 'block keeper',
      blocks: [
        { label: 'human', value: 'Name: Ada', limit: 40 },
        { label: 'rules', value: 'Be kind.', readOnly: true },
      ],
    });
    const other = await createAgent(owner, { name: 'second agent', blocks: [] });
    const rules = (await t.http().get(`/api/v1/agents/${agent.id}/blocks/rules`).set(as(owner)).expect(200)).body;
    await t.http().patch(`/api/v1/agents/${other.id}/blocks/attach/${rules.id}`).set(as(owner)).expect(200);

    const page = await signedIn(owner, `/agents/${agent.id}?tab=blocks`);
    const human = page.getByTestId('block-human');
    const counter = human.getByTestId('block-counter');
    await counter.waitFor();
    expect(await counter.textContent()).toBe('9 / 40');
    // The shared block says so, and its read-only flag is shown.
    const rulesCard = page.getByTestId('block-rules');
    await rulesCard.getByText('shared', { exact: true }).waitFor();
    await rulesCard.getByText('read-only', { exact: true }).waitFor();
    expect(await human.getByText('shared', { exact: true }).count()).toBe(0);
    await screenshot(page, 'agent-blocks');

    const overlong = 'Name: Ada Lovelace, mathematician, writes about engines';
    await human.getByLabel('human').fill(overlong);
    expect(await counter.textContent()).toBe(`${overlong.length} / 40`);
    expect(await counter.getAttribute('class')).toContain('over');
    await human.getByRole('button', { name: 'Save human' }).click();
    await human
      .getByRole('alert')
      .filter({ hasText: /limit|40/ })
      .waitFor();
    expect(await blockValue(agent.id, 'human')).toBe('Name: Ada');

    await human.getByLabel('human').fill('Name: Ada Lovelace');
    expect(await counter.getAttribute('class')).not.toContain('over');
    await human.getByRole('button', { name: 'Save human' }).click();
    await human.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect(await human.getByRole('alert').count()).toBe(0);
    expect(await blockValue(agent.id, 'human')).toBe('Name: Ada Lovelace');
    await page.context().close();
  });

  it('chats with the agent: tokens stream in, a tool call shows inline, and the prompt’s memories are listed', async () => {
    const agent = await createAgent(owner, { name: 'chatty', system: 'Be helpful.' });
    const memory = (
      await t
        .http()
        .post('/api/v1/memories')
        .set(as(owner))
        .send({ content: 'Grace keeps a cat called Miso.', userId: 'grace', infer: false })
        .expect(201)
    ).body.results[0];
    const answer = 'Your cat is called Miso, and she likes the sunny window in the kitchen best of all.';
    replies = [{ toolCalls: [{ name: 'archival_memory_search', arguments: { query: 'cat' } }] }, answer];
    // Slow enough between chunks for the page to be seen in more than one state.
    llm.latencyMs = 800;

    const page = await signedIn(owner, `/agents/${agent.id}`);
    await page.getByLabel('User id').fill('grace');
    await page.getByLabel('Message').fill('What is my cat called?');
    await page.getByRole('button', { name: 'Send' }).click();

    const bubble = page.getByTestId('assistant-bubble').last();
    await bubble.waitFor();
    const seen: string[] = [];
    await eventually(
      async () => {
        // Closed read first: the text read after it is then the final one.
        const closed = (await bubble.getAttribute('data-open')) === 'false';
        const text = ((await bubble.textContent()) ?? '').trim();
        if (text && seen[seen.length - 1] !== text) seen.push(text);
        return closed;
      },
      20_000,
      'the streamed answer to end',
    );
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0].length).toBeLessThan(answer.length);
    expect(seen[seen.length - 1]).toBe(answer);
    expect(await bubble.textContent()).toBe(answer);

    const tool = page.getByTestId('tool-call');
    expect(await tool.textContent()).toContain('archival_memory_search');
    await tool.getByTestId('tool-result').waitFor();
    expect(await tool.getByText('ok', { exact: true }).count()).toBe(1);

    const memories = page.getByTestId('chat-memories');
    const link = memories.getByRole('link', { name: 'Grace keeps a cat called Miso.' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/console/memories/${memory.id}`);
    await page.getByTestId('chat-usage').waitFor();
    await screenshot(page, 'agent-chat');

    // What the chat showed is what the API stored.
    const log = (
      await t.http().get(`/api/v1/agents/${agent.id}/messages`).query({ userId: 'grace' }).set(as(owner)).expect(200)
    ).body.data as { role: string; content: string }[];
    expect(log.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(log[3].content).toBe(answer);

    // Opened again, the chat shows this user's earlier conversation, tool call and result included.
    await page.reload();
    await page.getByLabel('User id').fill('grace');
    await page.getByLabel('User id').press('Tab');
    await page.getByTestId('assistant-bubble').filter({ hasText: answer }).waitFor();
    expect(await page.getByTestId('user-bubble').textContent()).toBe('What is my cat called?');
    expect(await page.getByTestId('tool-call').getByTestId('tool-result').textContent()).toContain('Miso');

    // The conversation log lists them, and a turn sent over REST arrives live.
    await page.getByRole('tab', { name: 'Conversation log' }).click();
    const table = page.getByTestId('message-log');
    await table.getByText('What is my cat called?').waitFor();
    llm.latencyMs = 0;
    replies = ['Sure thing.'];
    await t
      .http()
      .post(`/api/v1/agents/${agent.id}/messages`)
      .set(as(owner))
      .send({ messages: [{ content: 'Sent from elsewhere' }], userId: 'grace' })
      .expect(200);
    await table.getByText('Sent from elsewhere').waitFor();
    await table.getByText('Sure thing.').waitFor();
    await page.context().close();
  });

  it('shows the API’s refusal before a turn, and the error that ends a turn when the LLM fails', async () => {
    const agent = await createAgent(owner, { name: 'unlucky' });
    const page = await signedIn(owner, `/agents/${agent.id}`);
    // Refused before the stream starts (a JSON error answer): the message names the field.
    await page.getByLabel('User id').fill(' spaced ');
    await page.getByLabel('Message').fill('Hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'userId' }).waitFor();
    expect((await t.http().get(`/api/v1/agents/${agent.id}/messages`).set(as(owner)).expect(200)).body.data).toEqual(
      [],
    );

    // Failed after it started: its `error` event.
    replies = [
      { status: 500, body: '{"error":{"message":"boom"}}' },
      { status: 500, body: '{}' },
      { status: 500, body: '{}' },
    ];
    await page.getByLabel('User id').fill('someone');
    await page.getByLabel('Message').fill('Hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'LLM_FAILED' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('alert').textContent()).toMatch(/^LLM_FAILED: /);
    // The page is ready for another try.
    await page.getByLabel('Message').fill('Again?');
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
    await page.context().close();
  });

  it('creates an agent and edits its model settings in the UI, as stored over REST', async () => {
    const page = await signedIn(owner, '/agents');
    await page.getByRole('button', { name: 'New agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name').fill('researcher');
    await dialog.getByLabel('System prompt').fill('You research things.');
    await dialog.getByLabel('Provider').selectOption('openai-compatible');
    await dialog.getByLabel('Model', { exact: true }).fill('fake-model');
    await dialog.getByLabel('Temperature').fill('0.3');
    await dialog.getByLabel('Max steps').fill('4');
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/console\/agents\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: 'researcher' }).waitFor();
    let stored = (await t.http().get(`/api/v1/agents/${id}`).set(as(owner)).expect(200)).body;
    expect(stored).toEqual(
      expect.objectContaining({
        name: 'researcher',
        system: 'You research things.',
        model: { provider: 'openai-compatible', model: 'fake-model', temperature: 0.3, maxSteps: 4 },
      }),
    );

    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Agent settings' });
    await form.getByLabel('Temperature').fill('1.1');
    await form.getByLabel('Max tokens').fill('800');
    await form.getByLabel('Context window').fill('16000');
    await form.getByLabel('Max steps').fill('');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    stored = (await t.http().get(`/api/v1/agents/${id}`).set(as(owner)).expect(200)).body;
    expect(stored.model).toEqual({
      provider: 'openai-compatible',
      model: 'fake-model',
      temperature: 1.1,
      maxTokens: 800,
      contextWindow: 16000,
    });

    // A value the API refuses is said so, and nothing changes.
    await form.getByLabel('Temperature').fill('3');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /temperature/ })
      .waitFor();
    expect((await t.http().get(`/api/v1/agents/${id}`).set(as(owner)).expect(200)).body.model.temperature).toBe(1.1);

    // Deleting asks first.
    await page.getByRole('button', { name: 'Delete agent' }).click();
    await page.getByRole('dialog', { name: 'Delete agent' }).getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/console\/agents$/);
    await t.http().get(`/api/v1/agents/${id}`).set(as(owner)).expect(404);
    await page.context().close();
  });

  it('shows a viewer no edit controls, and a foreign organization’s agent as not found', async () => {
    const agent = await createAgent(owner, { name: 'watched' });
    const viewer = { email: uniqueEmail('viewer'), password: 'password-viewer' };
    await t
      .http()
      .post('/api/v1/users')
      .set(as(owner))
      .send({ ...viewer, name: 'Viewer', role: 'viewer' })
      .expect(201);
    const page = await signedIn(viewer, `/agents/${agent.id}`);
    await page.getByRole('heading', { name: 'watched' }).waitFor();
    await page.getByText('Viewers can read the conversation log').waitFor();
    expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete agent' }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Core memory' }).click();
    await page.getByTestId('block-human').waitFor();
    expect(await page.getByRole('button', { name: /^Save|Detach|Add block|Attach/ }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('form', { name: 'Agent settings' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    await page.goto('/console/agents');
    await page.getByRole('link', { name: 'watched' }).waitFor();
    expect(await page.getByRole('button', { name: 'New agent' }).count()).toBe(0);
    await page.context().close();

    const other = await signedIn(foreign, `/agents/${agent.id}`);
    await other.getByTestId('not-found').waitFor();
    expect(await other.getByTestId('not-found').textContent()).toContain('Not found');
    await other.context().close();
  });

  it('fits a phone: no page wider than the screen', async () => {
    const agent = await createAgent(owner, { name: 'pocket' });
    const { context, page } = await newPage(browser, t.url, { width: 390, height: 844 });
    const overflow = () =>
      page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await signIn(page, owner);
    await page.goto('/console/agents');
    await page.getByRole('link', { name: 'pocket' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.goto(`/console/agents/${agent.id}`);
    await page.getByRole('button', { name: 'Send' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.goto(`/console/agents/${agent.id}?tab=blocks`);
    await page.getByTestId('block-human').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.goto(`/console/agents/${agent.id}?tab=settings`);
    await page.getByRole('button', { name: 'Save settings' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await context.close();
  });
});
