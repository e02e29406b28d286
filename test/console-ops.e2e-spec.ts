import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from './support/console-browser.js';
import { FakeLlm } from './support/fake-llm.js';
import { bearer, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

type Storage = { setItem(key: string, value: string): void };

describe('the web console: live events, jobs and settings', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let browser: Browser;
  let owner: Registered;
  let viewer: { email: string; password: string };

  const auth = () => bearer(owner.accessToken);
  const addMemory = async (content: string): Promise<string> => {
    const res = await t
      .http()
      .post('/api/v1/memories')
      .set(auth())
      .send({ content, userId: 'live-user', infer: false })
      .expect(201);
    return res.body.results[0].id as string;
  };
  const eventRow = (page: Page, text: string) =>
    page.getByTestId('live-events').getByRole('listitem').filter({ hasText: text });

  beforeAll(async () => {
    ensureConsoleBuilt();
    await llm.start();
    // One attempt per job, so a job whose LLM answers nonsense fails at once (no backoff to wait out).
    t = await startTestApp({ ...llm.env, JOBS_ATTEMPTS: '1' });
    browser = await launchBrowser();
    owner = await register(t, 'Ops Org');
    viewer = { email: uniqueEmail('viewer'), password: 'viewer-password-1' };
    await t
      .http()
      .post('/api/v1/users')
      .set(auth())
      .send({ ...viewer, name: 'Vera Viewer', role: 'viewer' })
      .expect(201);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await llm.stop();
  });

  it('streams the organization’s events live, holds them while paused, and filters them by kind', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, owner);
      await page.getByRole('link', { name: 'Live' }).click();
      await page.getByTestId('live-status').getByText('Connected').waitFor();

      const first = await addMemory('Alice drinks green tea');
      const row = eventRow(page, first);
      await row.waitFor();
      expect(await row.textContent()).toMatch(/memory_update.*created.*user live-user/);
      // Its JSON, expanded.
      await row.locator('summary').click();
      expect(JSON.parse((await row.locator('pre').textContent())!)).toMatchObject({
        type: 'memory_update',
        memory_id: first,
        operation: 'created',
        user_id: 'live-user',
      });

      await page.getByRole('button', { name: 'Pause' }).click();
      const second = await addMemory('Bob lives in Oslo');
      // The event arrived (it is counted) but is not shown until resume.
      await page.getByTestId('held-count').getByText('1 new event').waitFor();
      expect(await eventRow(page, second).count()).toBe(0);
      await page.getByRole('button', { name: /Resume \(1 new\)/ }).click();
      await eventRow(page, second).waitFor();
      // Newest first.
      const order = await page.getByTestId('live-events').getByRole('listitem').allTextContents();
      expect(order.findIndex((text) => text.includes(second))).toBeLessThan(
        order.findIndex((text) => text.includes(first)),
      );
      await screenshot(page, 'live');

      await page.getByRole('checkbox', { name: 'memory_update' }).uncheck();
      await eventRow(page, second).waitFor({ state: 'detached' });
      expect(await eventRow(page, first).count()).toBe(0);
      await page.getByRole('checkbox', { name: 'memory_update' }).check();
      await eventRow(page, first).waitFor();

      // Both are stored, as the stream said.
      const stored = await t.http().get('/api/v1/memories').query({ userId: 'live-user' }).set(auth()).expect(200);
      expect((stored.body.data as { id: string }[]).map((m) => m.id).sort()).toEqual([first, second].sort());
    } finally {
      await context.close();
    }
  });

  it('looks up an export by id and follows it to completed; shows a failed job’s error', async () => {
    await addMemory('Carol paints on Sundays');
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, owner);
      await page.getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('heading', { name: 'Jobs' }).waitFor();

      const exported = await t.http().post('/api/v1/memories/export').set(auth()).send({}).expect(202);
      const exportId = exported.body.jobId as string;
      await page.getByLabel('Job id').fill(exportId);
      await page.getByRole('button', { name: 'Look up' }).click();
      const row = page.getByTestId(`job-${exportId}`);
      await row.getByTestId('job-state').getByText('completed').waitFor();
      expect(await row.getByRole('cell').nth(1).textContent()).toBe('export');
      expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
      const job = (await t.http().get(`/api/v1/jobs/${exportId}`).set(auth()).expect(200)).body;
      expect(job).toMatchObject({ state: 'completed', progress: 100, queue: 'export' });

      // A job that fails for real: an async add whose LLM answers no JSON; its job_progress events reach the page.
      llm.script = () => 'this is not JSON';
      const added = await t
        .http()
        .post('/api/v1/memories')
        .set(auth())
        .send({ messages: [{ role: 'user', content: 'I adopted a cat named Miso' }], userId: 'fail-user', async: true })
        .expect(202);
      const failedId = added.body.jobId as string;
      const failedRow = page.getByTestId(`job-${failedId}`);
      await failedRow.getByTestId('job-state').getByText('failed').waitFor({ timeout: 30_000 });
      const failed = (await t.http().get(`/api/v1/jobs/${failedId}`).set(auth()).expect(200)).body;
      expect(failed.state).toBe('failed');
      expect(await failedRow.getByTestId('job-error').textContent()).toBe(failed.error);
      expect(failed.error).toMatch(/LLM/);
      await screenshot(page, 'jobs');

      // After a reload (the console forgot what it saw), GET /jobs lists both, as stored.
      await page.reload();
      await row.getByTestId('job-state').getByText('completed').waitFor();
      await failedRow.getByTestId('job-state').getByText('failed').waitFor();
      expect(await failedRow.getByTestId('job-error').textContent()).toBe(failed.error);
      const listed = (await t.http().get('/api/v1/jobs').set(auth()).expect(200)).body.data as { id: string }[];
      expect(listed.map((j) => j.id)).toEqual([failedId, exportId]);
      const shownIds = await page
        .locator('tr[data-testid^="job-"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
      expect(shownIds).toEqual([`job-${failedId}`, `job-${exportId}`]);

      // An unknown id is said so.
      await page.getByLabel('Job id').fill('0193a5c2-7a4e-7c1f-9b1e-3f6a2d4c5b6a');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /not found/i })
        .waitFor();
    } finally {
      llm.script = () => '{}';
      await context.close();
    }
  });

  it('creates an API key shown once, which works until it is revoked; adds a viewer; shows readiness', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, owner);
      await page.getByRole('link', { name: 'Settings' }).click();
      const form = page.getByRole('form', { name: 'Create an API key' });
      await form.getByLabel('Name').fill('reporting');
      expect(await form.getByRole('checkbox', { name: 'read' }).isChecked()).toBe(true);
      expect(await form.getByRole('checkbox', { name: 'write' }).isChecked()).toBe(false);
      const tomorrow = new Date(Date.now() + 86_400_000);
      const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      await form.getByLabel('Expires').fill(local);
      await form.getByRole('button', { name: 'Create key' }).click();

      const shown = page.getByTestId('new-key');
      await shown.waitFor();
      const key = (await shown.textContent())!;
      expect(key).toMatch(/^am_/);
      await page.getByText('it is shown only once').waitFor();
      await page.getByRole('button', { name: 'Copy key' }).waitFor();

      const me = await t.http().get('/api/v1/auth/me').set(bearer(key)).expect(200);
      expect(me.body.apiKey).toMatchObject({ name: 'reporting', scopes: ['read'], kind: 'personal' });
      expect(Math.abs(new Date(me.body.apiKey.expiresAt as string).getTime() - tomorrow.getTime())).toBeLessThan(
        60_000,
      );
      const keyId = me.body.apiKey.id as string;
      const row = page.getByTestId(`key-${keyId}`);
      await row.getByText('active').waitFor();

      // Shown once: gone once dismissed, and not shown again after a reload.
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await shown.waitFor({ state: 'detached' });
      await page.reload();
      await row.waitFor();
      expect(await page.getByText(key).count()).toBe(0);

      await row.getByRole('button', { name: 'Revoke reporting' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke API key' });
      await dialog.getByRole('button', { name: 'Revoke' }).click();
      await row.getByText('revoked').waitFor();
      expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
      await t.http().get('/api/v1/auth/me').set(bearer(key)).expect(401);
      await screenshot(page, 'settings');

      // Members: a viewer added through the form is stored with that role.
      await page.getByRole('tab', { name: 'Members' }).click();
      const add = page.getByRole('form', { name: 'Add a member' });
      const email = uniqueEmail('added');
      await add.getByLabel('Email').fill(email);
      await add.getByLabel('Name').fill('Walter Watcher');
      await add.getByLabel('Initial password').fill('watcher-password');
      await add.getByLabel('Role').selectOption('viewer');
      await add.getByRole('button', { name: 'Add member' }).click();
      await page
        .getByTestId(`user-${email}`)
        .getByRole('combobox', { name: `Role of ${email}` })
        .waitFor();
      expect(await page.getByRole('combobox', { name: `Role of ${email}` }).inputValue()).toBe('viewer');
      const users = (await t.http().get('/api/v1/users').set(auth()).expect(200)).body.data as {
        email: string;
        role: string;
      }[];
      expect(users.find((u) => u.email === email)?.role).toBe('viewer');
      await t.http().post('/api/v1/auth/login').send({ email, password: 'watcher-password' }).expect(200);

      // Server: readiness as /health/ready says it, and the organization's limits.
      await page.getByRole('tab', { name: 'Server' }).click();
      const ready = (await t.http().get('/health/ready').expect(200)).body;
      await page.getByTestId('ready-status').getByText('ready').waitFor();
      expect(await page.getByTestId('ready-storage-mode').textContent()).toBe(ready.details.storage.mode);
      expect(await page.getByTestId('ready-jobs-backend').textContent()).toBe(ready.details.jobs.backend);
      expect(await page.getByTestId('ready-embedder-model').textContent()).toBe(ready.details.embedder.model);
      await page.getByRole('table', { name: 'Limits' }).waitFor();
      const limits = (
        await t.http().get(`/api/v1/organizations/${owner.organizationId}/limits`).set(auth()).expect(200)
      ).body;
      expect(await page.getByTestId('limit-memoriesStored').getByRole('cell').nth(1).textContent()).toBe(
        String(limits.effective.memoriesStored ?? 'no limit'),
      );
    } finally {
      await context.close();
    }
  });

  it('shows a viewer no create, revoke or member controls, as the API refuses them', async () => {
    // The owner's key, which the viewer may list but not revoke.
    const ownerKey = await t
      .http()
      .post('/api/v1/api-keys')
      .set(auth())
      .send({ name: 'owner service', scopes: ['read', 'write'], kind: 'service' })
      .expect(201);
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, viewer);
      expect(await page.getByTestId('role').textContent()).toBe('viewer');
      await page.goto('/console/settings');
      const row = page.getByTestId(`key-${ownerKey.body.id}`);
      await row.waitFor();
      expect(await page.getByRole('form', { name: 'Create an API key' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /Create key|Revoke/ }).count()).toBe(0);
      await page.getByText('may read the keys but not create them').waitFor();
      const viewerToken = (
        await t.http().post('/api/v1/auth/login').send({ email: viewer.email, password: viewer.password }).expect(200)
      ).body.accessToken as string;
      await t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(viewerToken))
        .send({ name: 'nope', scopes: ['read'] })
        .expect(403);
      await t.http().delete(`/api/v1/api-keys/${ownerKey.body.id}`).set(bearer(viewerToken)).expect(403);
      await t.http().get('/api/v1/api-keys').set(bearer(viewerToken)).expect(200);

      await page.getByRole('tab', { name: 'Members' }).click();
      await page.getByTestId(`user-${owner.email}`).waitFor();
      expect(await page.getByRole('form', { name: 'Add a member' }).count()).toBe(0);
      expect(await page.getByRole('combobox').count()).toBe(0);
      expect(await page.getByRole('button', { name: /Remove|Add member/ }).count()).toBe(0);
      await t.http().get('/api/v1/users').set(bearer(viewerToken)).expect(200);

      // Readiness is public; limits are for admins.
      await page.getByRole('tab', { name: 'Server' }).click();
      await page.getByTestId('ready-jobs-backend').waitFor();
      expect(await page.getByRole('heading', { name: 'Organization limits' }).count()).toBe(0);
      await t.http().get(`/api/v1/organizations/${owner.organizationId}/limits`).set(bearer(viewerToken)).expect(403);
    } finally {
      await context.close();
    }
  });

  it('fits a phone, and draws Settings in the dark theme', async () => {
    const phone = await newPage(browser, t.url, { width: 390, height: 844 });
    try {
      await signIn(phone.page, owner);
      await phone.page.goto('/console/settings');
      const create = phone.page.getByRole('button', { name: 'Create key' });
      await create.waitFor();
      const box = (await create.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      // The keys table scrolls inside its own box; the page itself does not scroll sideways.
      const main = await phone.page.locator('main').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(main).toBe(0);
      await screenshot(phone.page, 'settings-phone');
    } finally {
      await phone.context.close();
    }

    const { context, page } = await newPage(browser, t.url);
    try {
      await page.addInitScript(() =>
        (globalThis as unknown as { localStorage: Storage }).localStorage.setItem('agentmem.console.theme', 'dark'),
      );
      await signIn(page, owner);
      await page.goto('/console/settings?tab=server');
      await page.getByTestId('ready-storage-mode').waitFor();
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      expect(background).toBe('rgb(18, 20, 23)');
      await screenshot(page, 'settings-dark');
    } finally {
      await context.close();
    }
  });
});
