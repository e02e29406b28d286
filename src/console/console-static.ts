import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NotFoundException } from '@nestjs/common';

export const CONSOLE_PATH = '/console';

const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React's style attributes and CodeMirror's injected style sheets.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The folder Vite builds the console into: console/dist at the repository root, found by walking
 * up from this module (it runs from src/ under the tests and from dist/src/ once built).
 */
export function consoleDirectory(from = import.meta.dirname): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'console', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return null;
  }
}

/**
 * The web console at /console: hashed assets cached for a year, every other path under it
 * answered with index.html (the app routes in the browser). It talks to the public API only.
 * When the console was not built, /console says how to build it instead of a bare 404.
 */
export function mountConsole(app: NestExpressApplication): void {
  const root = consoleDirectory();
  if (!root) {
    app.use(CONSOLE_PATH, (_req: Request, _res: Response, next: NextFunction) =>
      next(new NotFoundException('The console is not built: run `npm run build` (npm start does it)')),
    );
    return;
  }
  const index = resolve(root, 'index.html');
  // Stricter than the API's policy (Swagger UI needs inline scripts; the console has none): a
  // script injected into a page could otherwise read the credential the console keeps.
  app.use(CONSOLE_PATH, (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    next();
  });
  app.use(
    `${CONSOLE_PATH}/assets`,
    express.static(join(root, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  app.use(CONSOLE_PATH, express.static(root, { index: false, maxAge: 0 }));
  app.use(CONSOLE_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
