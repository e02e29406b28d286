import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { MetricsService } from './metrics.service.js';

/** The route label of requests no route matched (unknown paths, bodies refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const STARTED = Symbol('metricsStartedAt');
type Timed = Request & { [STARTED]?: number };

/**
 * The route template a request matched, for a label of bounded cardinality: the Express route
 * Nest registered (`/api/v1/memories/:id`, `/v1/agents/:agent_id`), a mounted app's path
 * (`/metrics`, `/docs`, `/admin/queues` + its router's route), or UNMATCHED_ROUTE; never the raw
 * URL. A wildcard route is a catch-all (Nest's not-found handler under the prefix is
 * `/api/v1*path`; no route of the API has one): unmatched too.
 */
export function routeTemplateOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string')
    return route.path.includes('*') ? UNMATCHED_ROUTE : req.baseUrl + route.path;
  return req.baseUrl || UNMATCHED_ROUTE;
}

/**
 * Records agentmem_http_request_duration_seconds for every request, by route template, method
 * and status, when its response closes (guards' 401/403 and filters' 4xx/5xx included, as they
 * answer within the matched route). A request whose client left before any answer is status 499
 * (nginx's convention). Mounted first, so that it times everything the server does. Per request
 * it allocates nothing but the start time: the close handler is shared.
 */
export function httpMetricsMiddleware(metrics: MetricsService): RequestHandler {
  const histogram = metrics.httpDuration;
  function recorded(this: Response): void {
    const req = this.req as Timed;
    const started = req[STARTED];
    if (started === undefined) return;
    histogram.observe(
      { method: req.method, route: routeTemplateOf(req), status: this.headersSent ? this.statusCode : 499 },
      (performance.now() - started) / 1000,
    );
  }
  return (req: Request, res: Response, next: NextFunction) => {
    (req as Timed)[STARTED] = performance.now();
    res.once('close', recorded);
    next();
  };
}
