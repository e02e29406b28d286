import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from './support/console-browser.js';
import { importLines } from './support/import-lines.js';
import { bearer, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

describe('the web console: memories', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: Registered;
  const asOwner = () => bearer(owner.accessToken);

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestApp();
    browser = await launchBrowser();
    owner = await register(t, 'Console Memories Org');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A memory stored over REST (as an application would), its id. */
  async function addOverRest(content: string, scope: Record<string, string>, who = owner): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/memories')
      .set(bearer(who.accessToken))
      .send({ content, ...scope, infer: false })
      .expect(201);
    return res.body.results[0].id as string;
  }

  /** A signed-in page of the owner (or another person), closed after `body`. */
  async function asPerson(
    who: Pick<Registered, 'email' | 'password'>,
    body: (page: Page) => Promise<void>,
    viewport?: { width: number; height: number },
  ): Promise<void> {
    const { context, page } = await newPage(browser, t.url, viewport);
    try {
      await signIn(page, who);
      await body(page);
    } finally {
      await context.close();
    }
  }

  it('adds a memory through the form and finds it by search, with its scores and retrievers', async () => {
    await asPerson(owner, async (page) => {
      await page.goto('/console/memories');
      await page.getByRole('button', { name: 'Add memory' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a memory' });
      await dialog.getByLabel('Text').fill('Alice is allergic to peanuts');
      await dialog.getByLabel('User id').fill('alice');
      await dialog.getByLabel('Metadata (JSON object)').fill('{"topic": "health"}');
      // infer is off unless asked for: the text is stored as given, without an LLM.
      expect(await dialog.getByLabel('Extract facts with the LLM (infer)').isChecked()).toBe(false);
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('memory-row').filter({ hasText: 'Alice is allergic to peanuts' }).waitFor();

      const stored = await t.http().get('/api/v1/memories').query({ userId: 'alice' }).set(asOwner()).expect(200);
      expect(stored.body.data).toEqual([
        expect.objectContaining({
          memory: 'Alice is allergic to peanuts',
          userId: 'alice',
          metadata: { topic: 'health' },
        }),
      ]);

      await addOverRest('Bob is allergic to cats', { userId: 'bob' });
      await page.getByRole('tab', { name: 'Search' }).click();
      await page.getByLabel('Query').fill('allergic to peanuts');
      await page.getByLabel('Mode').selectOption('hybrid');
      // A filter built row by row: only alice's memories.
      await page.getByRole('button', { name: 'Add filter' }).click();
      await page.getByLabel('Filter 1 field').fill('userId');
      await page.getByLabel('Filter 1 value').fill('alice');
      await page.getByRole('button', { name: 'Add filter' }).click();
      await page.getByLabel('Filter 2 field').fill('topic');
      await page.getByLabel('Filter 2 value').fill('health');
      expect(await page.getByTestId('filter-json').textContent()).toBe(
        '{"AND":[{"userId":{"eq":"alice"}},{"topic":{"eq":"health"}}]}',
      );
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const hit = page.getByTestId('search-hit');
      await hit.first().waitFor();
      expect(await hit.count()).toBe(1);
      expect(await hit.textContent()).toContain('Alice is allergic to peanuts');
      expect(await hit.getByTestId('hit-score').textContent()).toMatch(/^\d\.\d{3}$/);
      expect(await hit.getByTestId('hit-scores').textContent()).toMatch(/text \d\.\d{3}/);
      expect(await hit.getByLabel('Found by').textContent()).toContain('text');
      await screenshot(page, 'memory-search');

      // The same filter as raw JSON, changed by hand to bob's scope.
      await page.getByLabel('Edit filters as JSON').check();
      await page.getByLabel('Filters (JSON)').fill('{"userId": {"in": ["bob"]}}');
      await page.getByLabel('Query').fill('allergic');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await hit.filter({ hasText: 'Bob is allergic to cats' }).waitFor();
      expect(await hit.count()).toBe(1);
      // A malformed filter is refused by the API with its message shown.
      await page.getByLabel('Filters (JSON)').fill('{"userId": {"near": "bob"}}');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: /near/ }).waitFor();
    });
  });

  it('shows a memory added over REST in the open list without a reload', async () => {
    await asPerson(owner, async (page) => {
      await page.goto('/console/memories?userId=carol');
      await page.getByText('No memories match.').waitFor();
      await page.getByText('live', { exact: true }).waitFor();
      await addOverRest('Carol moved to Lisbon', { userId: 'carol', agentId: 'travel-bot' });
      await page.getByTestId('memory-row').filter({ hasText: 'Carol moved to Lisbon' }).waitFor();
      // The scope list learned of carol too.
      await page.getByRole('navigation', { name: 'Scopes' }).getByRole('button', { name: /carol/ }).waitFor();
      // Narrowed by type and creation time.
      await page.getByLabel('Type').selectOption('semantic');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No memories match.').waitFor();
      await page.getByLabel('Type').selectOption('episodic');
      await page.getByLabel('Created after').fill('2099-01-01T00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/createdAfter=2099/);
      await page.getByText('No memories match.').waitFor();
      await page.getByLabel('Created after').fill('2000-01-01T00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByTestId('memory-row').filter({ hasText: 'Carol moved to Lisbon' }).waitFor();
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.waitForURL(/\/console\/memories$/);
      await page.getByTestId('memory-row').filter({ hasText: 'Carol moved to Lisbon' }).waitFor();
      await screenshot(page, 'memories');
    });
  });

  it('imports a JSON Lines file with a live progress bar reaching 100 %, and exports what is stored', async () => {
    const lines = importLines(1200, 'imported');
    await asPerson(owner, async (page) => {
      await page.goto('/console/memories');
      await page.getByText('live', { exact: true }).waitFor();
      // A file with a bad line is refused whole, the line named.
      await page.getByLabel('Import JSON Lines').setInputFiles({
        name: 'broken.jsonl',
        mimeType: 'application/x-ndjson',
        buffer: Buffer.from('{"content": "fine", "userId": "u"}\nnot json\n'),
      });
      await page.getByRole('alert').filter({ hasText: 'line 2' }).waitFor();
      // Every value the bar shows, from the page's side.
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          seen: string[];
          document: { body: object };
          MutationObserver: new (cb: (records: { target: { getAttribute(n: string): string | null } }[]) => void) => {
            observe(node: object, options: object): void;
          };
        };
        g.seen = [];
        new g.MutationObserver((records) => {
          for (const r of records) g.seen.push(r.target.getAttribute('aria-valuenow') ?? '');
        }).observe(g.document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
      });
      await page.getByLabel('Import JSON Lines').setInputFiles({
        name: 'memories.jsonl',
        mimeType: 'application/x-ndjson',
        buffer: Buffer.from(lines),
      });
      const bar = page.getByRole('progressbar', { name: 'Import progress' });
      await bar.waitFor();
      // Filled by the job's live job_progress events (the import is stored in batches of 500).
      await page
        .locator('[role="progressbar"][aria-label="Import progress"][aria-valuenow="100"]')
        .waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('import-result').textContent()).toContain('Stored 1200, skipped 0');
      // It moved through the batches' percentages (from live job_progress events; the console reads the job once).
      const seen = (await page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen)).map(Number);
      expect(seen.at(-1)).toBe(100);
      expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(await page.getByTestId('import-job').textContent()).toContain('memories.jsonl (1200 lines)');

      const scopes = await t.http().get('/api/v1/memories/scopes').set(asOwner()).expect(200);
      const imported = (scopes.body.data as { id: string; memories: number }[]).filter((s) => /^user-\d$/.test(s.id));
      expect(imported).toHaveLength(10);
      expect(imported.reduce((sum, s) => sum + s.memories, 0)).toBe(1200);

      // Export one imported user's memories: a job, then its JSON Lines downloaded.
      await page.goto('/console/memories?userId=user-3');
      await page.getByTestId('memory-row').first().waitFor();
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export' }).click();
      const file = await downloading;
      const text = await new Promise<string>((resolve, reject) => {
        void file.createReadStream().then((stream) => {
          let body = '';
          stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          stream.on('end', () => resolve(body));
          stream.on('error', reject);
        });
      });
      const exported = text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { content: string; userId: string });
      expect(exported).toHaveLength(120);
      expect(exported.every((m) => m.userId === 'user-3' && m.content.startsWith('imported number'))).toBe(true);
      expect(await page.getByTestId('export-result').textContent()).toContain('120 memories exported');
      expect(await page.getByRole('progressbar', { name: 'Export progress' }).getAttribute('aria-valuenow')).toBe(
        '100',
      );
    });
  });

  it('edits a memory, shows its history as a word diff with who changed it, and deletes it after confirmation', async () => {
    const id = await addOverRest('Bob lives in Oslo', { userId: 'bob' });
    await asPerson(owner, async (page) => {
      await page.goto(`/console/memories/${id}`);
      await page.getByTestId('memory-text').filter({ hasText: 'Bob lives in Oslo' }).waitFor();
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Text').fill('Bob lives in Berlin now');
      await page.getByLabel('Importance').fill('0.8');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('memory-text').filter({ hasText: 'Bob lives in Berlin now' }).waitFor();

      const stored = await t.http().get(`/api/v1/memories/${id}`).set(asOwner()).expect(200);
      expect(stored.body).toMatchObject({ memory: 'Bob lives in Berlin now', importance: expect.closeTo(0.8, 5) });

      const diff = page.getByTestId('history-diff');
      await diff.waitFor();
      expect(await diff.locator('ins.diff-add').allTextContents()).toEqual(['Berlin now']);
      expect(await diff.locator('del.diff-del').allTextContents()).toEqual(['Oslo']);
      const entries = page.getByTestId('history-entry');
      expect(await entries.count()).toBe(2);
      expect(await entries.first().textContent()).toContain(`UPDATEuser:${owner.userId}`);
      expect(await entries.last().textContent()).toContain('ADD');
      await screenshot(page, 'memory-history');

      await page.getByRole('button', { name: 'Delete' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete this memory?' });
      await confirm.getByText('"Bob lives in Berlin now" will no longer be listed').waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await t.http().get(`/api/v1/memories/${id}`).set(asOwner()).expect(200);
      await page.getByRole('button', { name: 'Delete' }).click();
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(/\/console\/memories$/);
      await t.http().get(`/api/v1/memories/${id}`).set(asOwner()).expect(404);
    });
  });

  it('deletes a whole scope after a confirmation naming it', async () => {
    await addOverRest('Dave plays chess', { userId: 'dave' });
    await addOverRest('Dave has a dog', { userId: 'dave' });
    await asPerson(owner, async (page) => {
      await page.goto('/console/memories');
      await page.getByRole('navigation', { name: 'Scopes' }).getByRole('button', { name: /dave/ }).click();
      await page.waitForURL(/userId=dave/);
      await page.getByTestId('memory-row').filter({ hasText: 'Dave has a dog' }).waitFor();
      await page.getByRole('button', { name: 'Delete scope' }).click();
      const confirm = page.getByRole('dialog', { name: "Delete this scope's memories?" });
      expect(await confirm.textContent()).toContain('Every memory of userId "dave" will be deleted');
      await confirm.getByRole('button', { name: 'Delete all' }).click();
      await page.getByText('Deleted 2 memories.').waitFor();
      const left = await t.http().get('/api/v1/memories').query({ userId: 'dave' }).set(asOwner()).expect(200);
      expect(left.body.data).toEqual([]);
    });
  });

  it('shows a viewer no add, edit, delete or import controls, on the list and on a memory', async () => {
    const id = await addOverRest('Erin reads at night', { userId: 'erin' });
    const viewer = { email: uniqueEmail('viewer'), password: 'viewer-password-1' };
    await t
      .http()
      .post('/api/v1/users')
      .set(asOwner())
      .send({ ...viewer, name: 'Vic Viewer', role: 'viewer' })
      .expect(201);
    await asPerson(viewer, async (page) => {
      expect(await page.getByTestId('role').textContent()).toBe('viewer');
      await page.goto('/console/memories?userId=erin');
      await page.getByTestId('memory-row').filter({ hasText: 'Erin reads at night' }).waitFor();
      // Export is a write for the API (it queues a job): members and up.
      for (const name of ['Add memory', 'Delete scope', 'Export'])
        expect(await page.getByRole('button', { name }).count()).toBe(0);
      expect(await page.getByLabel('Import JSON Lines').count()).toBe(0);
      // Search stays theirs.
      await page.getByRole('tab', { name: 'Search' }).click();
      await page.getByLabel('Query').fill('reads');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByTestId('search-hit').filter({ hasText: 'Erin reads at night' }).waitFor();

      await page.goto(`/console/memories/${id}`);
      await page.getByTestId('memory-text').filter({ hasText: 'Erin reads at night' }).waitFor();
      await page.getByTestId('history-entry').first().waitFor();
      for (const name of ['Edit', 'Delete', 'Save']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    });
  });

  it("shows Not found for another organization's memory", async () => {
    const other = await register(t, 'Someone Else');
    const id = await addOverRest('A secret of another organization', { userId: 'mallory' }, other);
    await asPerson(owner, async (page) => {
      await page.goto(`/console/memories/${id}`);
      const notFound = page.getByTestId('not-found');
      await notFound.waitFor();
      expect(await notFound.textContent()).toContain('Not found');
      expect(await page.content()).not.toContain('A secret of another organization');
      await page.goto('/console/memories/not-a-memory-id');
      await page.getByTestId('not-found').waitFor();
    });
  });

  it('fits a phone: the list and its main controls are visible at 390x844', async () => {
    await addOverRest('Fay carries a phone everywhere', { userId: 'fay' });
    await asPerson(
      owner,
      async (page) => {
        await page.goto('/console/memories');
        const row = page.getByTestId('memory-row').first();
        await row.waitFor();
        // The filters start folded, so the list's first rows are on the first screen.
        const controls = [
          page.getByRole('button', { name: 'Add memory' }),
          page.getByRole('tab', { name: 'Search' }),
          page.getByText('Filters', { exact: true }),
          row,
        ];
        const bottoms = await Promise.all(controls.map(async (c) => (await c.boundingBox())?.y ?? Infinity));
        expect(bottoms.every((y) => y < 844)).toBe(true);
        await page.getByText('Filters', { exact: true }).click();
        await page.getByRole('button', { name: 'Apply filters' }).waitFor();
        const width = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        );
        expect(width).toBeLessThanOrEqual(390);
      },
      { width: 390, height: 844 },
    );
  });
});
