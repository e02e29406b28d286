import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from './support/console-browser.js';
import { bearer, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

const SOURCE = [
  'const total = args.a + args.b;',
  "console.log('adding', args.a, args.b);",
  "return { total, label: args.label ?? 'sum', doubled: args.double === true ? total * 2 : null };",
].join('\n');
const SCHEMA = {
  type: 'object',
  properties: {
    a: { type: 'number', description: 'first' },
    b: { type: 'integer' },
    label: { type: 'string' },
    double: { type: 'boolean' },
    unit: { enum: ['cm', 'm'] },
    extra: { type: 'object' },
  },
  required: ['a', 'b'],
};

/** Replaces the text of a CodeMirror editor as one input (typing would meet its bracket closing). */
async function setEditor(page: Page, label: string, text: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: label });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

describe('the web console: tools', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: Registered;
  let foreign: Registered;
  const as = (who: Registered) => bearer(who.accessToken);

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestApp();
    browser = await launchBrowser();
    owner = await register(t, 'Tools Org');
    foreign = await register(t, 'Other Org');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a tool with source and schema, runs it from the generated form, and lists the run', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, owner);
      await page.goto('/console/tools');
      await page.getByRole('link', { name: 'New tool' }).click();
      const form = page.getByRole('form', { name: 'New tool' });
      await form.getByRole('textbox', { name: /^Name/ }).fill('add_numbers');
      await form.getByLabel('Description').fill('Adds two numbers');
      await form.getByLabel('Tags').fill('math, demo');
      await setEditor(page, 'Source', SOURCE);
      // Parameters that are not JSON are refused before anything is sent.
      await setEditor(page, 'Parameters (JSON Schema)', '{"type": "object",');
      await form.getByRole('button', { name: 'Create tool' }).click();
      await form.getByRole('alert').filter({ hasText: 'parameters is not valid JSON' }).waitFor();
      expect((await t.http().get('/api/v1/tools').set(as(owner)).expect(200)).body.data).toEqual([]);

      await setEditor(page, 'Parameters (JSON Schema)', JSON.stringify(SCHEMA, null, 2));
      await form.getByRole('button', { name: 'Create tool' }).click();
      await page.waitForURL(/\/console\/tools\/[0-9a-f-]{36}$/);
      const id = page.url().split('/').pop()!;
      const stored = (await t.http().get(`/api/v1/tools/${id}`).set(as(owner)).expect(200)).body;
      expect(stored).toEqual(
        expect.objectContaining({
          name: 'add_numbers',
          description: 'Adds two numbers',
          tags: ['math', 'demo'],
          sourceCode: SOURCE,
          parameters: SCHEMA,
        }),
      );

      // The run form has an input per property, required ones marked.
      const run = page.getByRole('form', { name: 'Run the tool' });
      await run.getByLabel('a', { exact: true }).fill('2');
      await run.getByLabel('b', { exact: true }).fill('5');
      expect(await run.getByLabel('a', { exact: true }).getAttribute('aria-required')).toBe('true');
      expect(await run.getByLabel('label', { exact: true }).getAttribute('aria-required')).toBe('false');
      await run.getByLabel('label', { exact: true }).fill('seven');
      await run.getByLabel('double', { exact: true }).selectOption('true');
      expect(await run.getByLabel('unit', { exact: true }).locator('option').allTextContents()).toEqual([
        '—',
        'cm',
        'm',
      ]);
      expect(await run.getByLabel('extra', { exact: true }).evaluate((e) => e.tagName)).toBe('TEXTAREA');
      await run.getByRole('button', { name: 'Run tool' }).click();
      const output = run.getByTestId('run-output');
      await output.waitFor();
      expect(JSON.parse((await output.textContent()) ?? '')).toEqual({ total: 7, label: 'seven', doubled: 14 });
      await run.getByText('ok', { exact: true }).waitFor();

      // The run is in the history with its status and duration, as the API stores it.
      const history = page.getByTestId('run-history');
      await history.locator('tbody tr').first().waitFor();
      const runs = (await t.http().get(`/api/v1/tools/${id}/runs`).set(as(owner)).expect(200)).body.data;
      expect(runs).toHaveLength(1);
      expect(runs[0].status).toBe('ok');
      const row = history.locator('tbody tr').first();
      expect(await row.textContent()).toContain('ok');
      expect(await row.textContent()).toContain(`${runs[0].durationMs} ms`);

      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'tools');

      // A tool that throws shows its error, and the history says so.
      await setEditor(page, 'Source', "throw new Error('no numbers today')");
      await page.getByRole('button', { name: 'Save tool' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      expect((await t.http().get(`/api/v1/tools/${id}`).set(as(owner)).expect(200)).body.sourceCode).toBe(
        "throw new Error('no numbers today')",
      );
      await run.getByLabel('a', { exact: true }).fill('1');
      await run.getByLabel('b', { exact: true }).fill('1');
      await run.getByRole('button', { name: 'Run tool' }).click();
      await run.getByRole('alert').filter({ hasText: 'no numbers today' }).waitFor();
      await history.getByText('error', { exact: true }).waitFor();

      // Deleting asks first.
      await page.getByRole('button', { name: 'Delete tool' }).click();
      await page.getByRole('dialog', { name: 'Delete tool' }).getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(/\/console\/tools$/);
      await page.getByText('No tools yet.').waitFor();
      await t.http().get(`/api/v1/tools/${id}`).set(as(owner)).expect(404);
    } finally {
      await context.close();
    }
  });

  it('shows a viewer no edit or run controls, and a foreign organization’s tool as not found', async () => {
    const tool = (
      await t
        .http()
        .post('/api/v1/tools')
        .set(as(owner))
        .send({ name: 'echo', description: 'Echoes', parameters: { type: 'object' }, sourceCode: 'return args' })
        .expect(201)
    ).body;
    const viewer = { email: uniqueEmail('viewer'), password: 'password-viewer' };
    await t
      .http()
      .post('/api/v1/users')
      .set(as(owner))
      .send({ ...viewer, name: 'Viewer', role: 'viewer' })
      .expect(201);
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, viewer);
      await page.goto(`/console/tools/${tool.id}`);
      await page.getByRole('heading', { name: 'echo' }).waitFor();
      await page.getByRole('heading', { name: 'Run history' }).waitFor();
      for (const name of ['Save tool', 'Run tool', 'Delete tool'])
        expect(await page.getByRole('button', { name }).count()).toBe(0);
      expect(await page.getByRole('textbox', { name: 'Source' }).getAttribute('contenteditable')).toBe('false');
      await page.goto('/console/tools');
      await page.getByRole('link', { name: 'echo' }).waitFor();
      expect(await page.getByRole('link', { name: 'New tool' }).count()).toBe(0);
    } finally {
      await context.close();
    }
    const other = await newPage(browser, t.url);
    try {
      await signIn(other.page, foreign);
      await other.page.goto(`/console/tools/${tool.id}`);
      await other.page.getByTestId('not-found').waitFor();
      expect(await other.page.getByTestId('not-found').textContent()).toContain('Not found');
    } finally {
      await other.context.close();
    }
  });

  it('fits a phone: the tool page is no wider than the screen', async () => {
    const tool = (
      await t
        .http()
        .post('/api/v1/tools')
        .set(as(owner))
        .send({
          name: 'pocket_tool',
          description: 'Fits a pocket',
          parameters: SCHEMA,
          sourceCode: `${SOURCE}\n// ${'a long comment line '.repeat(10)}`,
        })
        .expect(201)
    ).body;
    const { context, page } = await newPage(browser, t.url, { width: 390, height: 844 });
    try {
      await signIn(page, owner);
      await page.goto(`/console/tools/${tool.id}`);
      await page.getByRole('button', { name: 'Run tool' }).waitFor();
      expect(
        await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      ).toBeLessThanOrEqual(0);
    } finally {
      await context.close();
    }
  });
});
