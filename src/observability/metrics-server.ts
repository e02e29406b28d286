import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { AppConfig } from '../config/app-config.js';
import { METRICS_PATH, serveMetrics } from './metrics-endpoint.js';
import { MetricsService } from './metrics.service.js';

/**
 * With METRICS_PORT: a small HTTP server of its own on HOST:METRICS_PORT answering GET /metrics
 * without a token (the port is meant to be reachable by Prometheus only), in the API and in
 * workers alike (workers serve no other HTTP). Started after the application's init, closed
 * with it.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** The port it listens on (METRICS_PORT, or the one picked for 0); null when off. */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.METRICS_PORT === undefined) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === METRICS_PATH && (req.method === 'GET' || req.method === 'HEAD'))
        return serveMetrics(this.metrics, res);
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`Only GET ${METRICS_PATH} is served on this port\n`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.METRICS_PORT, this.config.HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`metrics on http://${this.config.HOST}:${this.port}${METRICS_PATH}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
