import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Registered } from './test-app.js';

/**
 * Browser tests of the web console: a real headless Chromium (Debian's `chromium` package, never
 * a browser a tool downloads) driven by playwright-core, against the console the test app serves.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..', '..');
const CONSOLE = join(ROOT, 'console');
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

const INSTALL_HINT =
  `Console browser tests need Chromium at ${CHROMIUM_PATH}: install it with ` +
  '`apt-get update && apt-get install -y chromium` (Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary.';

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name === 'node_modules') continue;
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

/** Builds the console (as `npm run build` does) unless its build is newer than every source file. */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE, 'dist', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs > newestSource(CONSOLE)) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', CONSOLE, '--logLevel', 'error'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/**
 * Chromium, headless. The console specs run only where it is installed (jest.config.js leaves
 * them out otherwise, saying so, unless CONSOLE_BROWSER_TESTS=require, as in CI).
 */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(INSTALL_HINT);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A laptop-sized page (or a phone-sized one) in a fresh context: its own storage, so its own session. */
export async function newPage(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport, colorScheme: 'light' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the form, as a person would, and waits for the first page. */
export async function signIn(page: Page, who: Pick<Registered, 'email' | 'password'>): Promise<void> {
  await page.goto('/console/signin');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
}

/** Saves a screenshot of the page for the README (docs/screenshots/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
