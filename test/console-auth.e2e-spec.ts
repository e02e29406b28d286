import type { Browser, Page } from 'playwright-core';
import { RealtimeGateway } from '../src/realtime/realtime.gateway.js';

type Storage = { getItem(key: string): string | null; setItem(key: string, value: string): void };
import { ensureConsoleBuilt, launchBrowser, newPage, screenshot, signIn } from './support/console-browser.js';
import { register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

const storedCredential = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { localStorage: Storage }).localStorage.getItem('agentmem.console.credential'),
  );

describe('the web console: signing in and out', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: Registered;

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestApp();
    browser = await launchBrowser();
    owner = await register(t, 'Console Org');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('is served at /console, with its client-side routes answered by index.html', async () => {
    const res = await t.http().get('/console/memories/some/deep/link').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<div id="root">');
    // No inline script may run in the console's pages (it holds the credential).
    expect(res.headers['content-security-policy']).toContain("script-src 'self';");
    await t.http().get('/console/assets/missing.js').expect(404);
  });

  it('signs in with email and password, keeps the session across a reload, and signs out', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await page.goto('/console/memories');
      // Not signed in: the sign-in form, and back to the asked page after.
      await page.waitForURL('**/console/signin');
      await screenshot(page, 'sign-in');
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /invalid|incorrect|credentials/i })
        .waitFor();
      await signIn(page, owner);
      await page.waitForURL('**/console/memories');
      expect(await page.getByTestId('role').textContent()).toBe('owner');
      // The live connection (Socket.IO with the same token) is up under the console's CSP.
      await page
        .getByTitle('Live updates over Socket.IO')
        .filter({ hasText: /^live$/ })
        .waitFor();
      await page.reload();
      await page.getByTestId('role').waitFor();
      const held = JSON.parse((await storedCredential(page))!) as { refreshToken: string };
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/console/signin');
      expect(await storedCredential(page)).toBeNull();
      // The sign-out revoked the session's refresh token on the server, not only in the browser.
      await t.http().post('/api/v1/auth/refresh').send({ refreshToken: held.refreshToken }).expect(401);
    } finally {
      await context.close();
    }
  });

  it('refreshes an access token the API refuses, once, with the single-use refresh token', async () => {
    const { context, page } = await newPage(browser, t.url);
    try {
      await signIn(page, owner);
      const read = () =>
        page.evaluate(() =>
          JSON.parse(
            (globalThis as unknown as { localStorage: Storage }).localStorage.getItem('agentmem.console.credential') ??
              'null',
          ),
        ) as Promise<{ accessToken: string; refreshToken: string; expiresAt: number }>;
      const before = await read();
      // The access token goes stale (as after its 15 minutes): the next requests get 401.
      await page.evaluate(
        (held) =>
          (globalThis as unknown as { localStorage: Storage }).localStorage.setItem(
            'agentmem.console.credential',
            JSON.stringify({ ...held, accessToken: 'stale.token.value' }),
          ),
        before,
      );
      await page.reload();
      await page.getByTestId('role').waitFor();
      const after = await read();
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(after.accessToken).not.toBe('stale.token.value');
      // The old refresh token was spent by that one refresh.
      await t.http().post('/api/v1/auth/refresh').send({ refreshToken: before.refreshToken }).expect(401);
    } finally {
      await context.close();
    }
  });

  it('connects the live socket again when the server ends it for an expired token, with a refreshed one', async () => {
    // Access tokens of 10 s (the shortest allowed), so one expires within the test.
    const short = await startTestApp({ JWT_ACCESS_TTL_SECONDS: '10' });
    const { context, page } = await newPage(browser, short.url);
    try {
      const who = await register(short, 'Short Tokens Org');
      await signIn(page, who);
      const signedInAt = Date.now();
      await page.goto('/console/live');
      await page.getByTestId('live-status').getByText('Connected').waitFor();
      // Wait out the socket's token (a real clock), then run the server's once-a-minute check now.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedInAt + 11_000 - Date.now())));
      await short.app.get(RealtimeGateway).recheckCredentials();
      // The console connects again by itself, with a token it refreshed, and hears later events.
      await page.getByTestId('live-status').getByText('Connected').waitFor();
      const login = await short.http().post('/api/v1/auth/login').send({ email: who.email, password: who.password });
      await short
        .http()
        .post('/api/v1/memories')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .send({ content: 'Heard after the reconnect', userId: 'rita', infer: false })
        .expect(201);
      await page.getByTestId('live-events').getByRole('listitem').filter({ hasText: 'user rita' }).waitFor();
    } finally {
      await context.close();
      await short.close();
    }
  });

  it('signs in with an API key, and a refused key is said so', async () => {
    const key = await t
      .http()
      .post('/api/v1/api-keys')
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .send({ name: 'console test', scopes: ['read'] })
      .expect(201);
    const { context, page } = await newPage(browser, t.url);
    try {
      await page.goto('/console/signin');
      await page.getByRole('tab', { name: 'API key' }).click();
      await page.getByLabel('API key').fill('am_not_a_real_key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      await page.getByLabel('API key').fill(key.body.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('role').waitFor();
      expect(await page.getByTestId('role').textContent()).toBe('viewer');
    } finally {
      await context.close();
    }
  });
});
