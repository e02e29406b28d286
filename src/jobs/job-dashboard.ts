import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AuthError } from '../auth/auth.errors.js';
import { credentialOf } from '../auth/auth.guard.js';
import { AuthService } from '../auth/auth.service.js';
import { errorBodyOf } from '../common/errors/all-exceptions.filter.js';
import { AppConfig } from '../config/app-config.js';
import { BullmqJobRunner } from './runners/bullmq-job-runner.js';
import { JobRunner } from './runners/job-runner.js';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues, for owners of the installation's first organization (a Bearer
 * access token) or whoever holds ADMIN_TOKEN (Bearer, or as the password of HTTP Basic auth so
 * a browser can open it). Mounted on Express directly: @bull-board/nestjs is a CommonJS package
 * that requires @nestjs/common, which is ESM-only from Nest 12.
 */
export function mountJobDashboard(app: INestApplication): void {
  const runner = app.get(JobRunner);
  const config = app.get(AppConfig);
  const auth = app.get(AuthService);
  if (!(runner instanceof BullmqJobRunner)) {
    app.use(DASHBOARD_PATH, (_req: Request, res: Response) =>
      res.status(404).json({
        statusCode: 404,
        error: 'Not Found',
        code: 'NOT_FOUND',
        message:
          'The job dashboard needs BullMQ (REDIS_URL, or DATABASE_URL); this server runs jobs in-process: follow them at GET /api/v1/jobs/{id}',
      }),
    );
    return;
  }
  const board = new ExpressAdapter();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: runner.bullQueues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: board,
  });
  const refuse = (req: Request & { id?: string }, res: Response, status: 401 | 403, message: string) => {
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="AgentMem jobs", charset="UTF-8"');
    res.status(status).json({
      ...errorBodyOf(new Error(message), String(req.id ?? '')),
      statusCode: status,
      error: status === 401 ? 'Unauthorized' : 'Forbidden',
      code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
      message,
    });
  };
  const guard = (req: Request & { id?: string }, res: Response, next: NextFunction) => {
    const presented = dashboardCredential(req);
    if (!presented)
      return refuse(
        req,
        res,
        401,
        'The job dashboard needs ADMIN_TOKEN or an owner of the first organization (Bearer token, or Basic auth with it as the password)',
      );
    if (config.ADMIN_TOKEN && sameSecret(presented, config.ADMIN_TOKEN)) return next();
    auth
      .authenticate(presented)
      .then(
        async (principal) =>
          (await auth.isInstallationOwner(principal))
            ? next()
            : refuse(
                req,
                res,
                403,
                'Only owners of the first organization (or ADMIN_TOKEN) may open the job dashboard',
              ),
        (error: unknown) => {
          if (!(error instanceof AuthError)) throw error;
          refuse(req, res, 401, 'Invalid credentials for the job dashboard');
        },
      )
      .catch((error: unknown) => {
        // The database (say) failed: the error shape, never an unhandled rejection.
        const body = errorBodyOf(error, String(req.id ?? ''));
        if (!res.headersSent) res.status(body.statusCode).json(body);
      });
  };
  app.use(DASHBOARD_PATH, guard, board.getRouter());
}

/** A Bearer token, an X-API-Key, or the password of HTTP Basic auth. */
function dashboardCredential(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^Basic\s+/i.test(header)) {
    const decoded = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    return password || null;
  }
  try {
    return credentialOf(req.headers);
  } catch {
    return null;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
