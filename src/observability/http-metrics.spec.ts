import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { httpMetricsMiddleware, routeTemplateOf, UNMATCHED_ROUTE } from './http-metrics.js';
import { MetricsService } from './metrics.service.js';

const requestOf = (fields: Partial<Request>) => ({ method: 'GET', baseUrl: '', ...fields }) as Request;

describe('HTTP metrics', () => {
  it('labels a request by its route template, a mounted path, or unmatched; never by the raw URL', () => {
    expect(routeTemplateOf(requestOf({ route: { path: '/api/v1/memories/:id' }, url: '/api/v1/memories/42' }))).toBe(
      '/api/v1/memories/:id',
    );
    expect(routeTemplateOf(requestOf({ baseUrl: '/admin/queues', route: { path: '/api/queues/:name' } }))).toBe(
      '/admin/queues/api/queues/:name',
    );
    expect(routeTemplateOf(requestOf({ baseUrl: '/metrics' }))).toBe('/metrics');
    expect(routeTemplateOf(requestOf({ route: { path: '/api/v1*path' } }))).toBe(UNMATCHED_ROUTE);
    expect(routeTemplateOf(requestOf({ url: '/no/such/path' }))).toBe(UNMATCHED_ROUTE);
  });

  it('records a request when its response closes, and 499 for a client that left before any answer', async () => {
    const metrics = new MetricsService();
    const middleware = httpMetricsMiddleware(metrics);
    const exchange = (headersSent: boolean, statusCode: number) => {
      const req = requestOf({ method: 'POST', route: { path: '/api/v1/memories' } });
      const res = Object.assign(new EventEmitter(), { req, headersSent, statusCode }) as unknown as Response;
      middleware(req, res, () => undefined);
      res.emit('close');
      res.emit('close');
    };
    exchange(true, 201);
    exchange(false, 200);
    const counts = (await metrics.httpDuration.get()).values.filter((v) => v.metricName?.endsWith('_count'));
    expect(counts.map((v) => [v.labels.status, v.value]).sort()).toEqual([
      [201, 1],
      [499, 1],
    ]);
    metrics.registry.clear();
  });
});
