import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';

export const METRICS_PATH = '/metrics';

/**
 * GET /metrics on the API's port, outside /api/v1 (Prometheus scrapes a fixed path). Open only
 * to the holder of METRICS_TOKEN (Bearer): no user's token or API key opens it, since the
 * metrics describe the whole installation. Without METRICS_TOKEN it is a 404 saying how to turn
 * it on: metrics are then on METRICS_PORT, or off. Mounted on Express directly (no OpenAPI
 * operation: it is for Prometheus, not for API clients).
 */
export function mountMetricsEndpoint(app: INestApplication): void {
  const config = app.get(AppConfig);
  const metrics = app.get(MetricsService);
  const token = config.METRICS_TOKEN ? digest(config.METRICS_TOKEN) : null;
  app.use(METRICS_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    // Refusals go to the application's last error handler, which answers in the one error shape.
    const refuse = (error: UnauthorizedException | NotFoundException) => next(error);
    if (!token) {
      return refuse(
        new NotFoundException(
          config.METRICS_PORT !== undefined
            ? `Metrics are served on METRICS_PORT (${config.METRICS_PORT}), not on this port; set METRICS_TOKEN to serve them here too`
            : 'Metrics are off: set METRICS_TOKEN (scrape GET /metrics with it as a Bearer token) or METRICS_PORT',
        ),
      );
    }
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!presented || !timingSafeEqual(digest(presented), token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="AgentMem metrics"');
      return refuse(new UnauthorizedException('GET /metrics needs METRICS_TOKEN as a Bearer token'));
    }
    serveMetrics(metrics, res);
  });
}

/** Writes the exposition text (or a 500 when a collector throws past render's guard). */
export function serveMetrics(metrics: MetricsService, res: ServerResponse): void {
  metrics.render().then(
    (text) => {
      res.statusCode = 200;
      res.setHeader('Content-Type', metrics.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(text);
    },
    (error: unknown) => {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`metrics could not be rendered: ${(error as Error).message}\n`);
    },
  );
}

/** Equal-length digests, so that the comparison takes the same time whatever was presented. */
function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
