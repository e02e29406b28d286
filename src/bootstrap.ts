import { NotFoundException } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { errorBodyOf } from './common/errors/all-exceptions.filter.js';
import { inputGuardMiddleware } from './common/input/input-guard.js';
import { requestContextMiddleware } from './common/context/request-context.js';
import { requestIdMiddleware } from './common/request-id.js';
import { createValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { corsOrigin } from './config/cors.js';
import { COMPAT_ROUTES } from './compat/compat-routes.js';
import { mountConsole } from './console/console-static.js';
import { BootResources } from './config/boot-resources.js';
import { mountJobDashboard } from './jobs/job-dashboard.js';
import { EmbeddingService } from './llm/embedding/embedding.service.js';
import { httpMetricsMiddleware } from './observability/http-metrics.js';
import { mountMetricsEndpoint } from './observability/metrics-endpoint.js';
import { MetricsService } from './observability/metrics.service.js';
import openApiMetadata from './openapi-metadata.js';
import { addSuccessResponses } from './openapi-responses.js';
import { SocketIoAdapter } from './realtime/socket-io.adapter.js';

export const API_PREFIX = 'api/v1';

/** Media types of a JSON Lines import. */
const JSON_LINES = [
  'application/x-ndjson',
  'application/jsonl',
  'application/json-lines',
  'application/jsonlines',
  'text/plain',
];

/**
 * Request bodies: JSON up to BODY_LIMIT, JSON Lines imports up to IMPORT_BODY_LIMIT. Parse
 * failures (malformed JSON, too large) are answered here in the server's one error shape, since
 * they happen before any Nest route or filter runs.
 */
function parsedBody(parse: express.RequestHandler) {
  return (req: Request & { id?: string }, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const body = errorBodyOf(error, String(req.id ?? ''));
      res.status(body.statusCode).json(body);
    });
}

/** Builds the whole HTTP application (used by main.ts and by every e2e test). */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  // Loading a model may fail (wrong path or size): do it before anything else is opened.
  const embedder = await EmbeddingService.create(config);
  const resources = new BootResources();
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, embedder, resources), {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    });
  } catch (error) {
    await resources.releaseAll();
    throw error;
  }
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(requestIdMiddleware);
  app.use(requestContextMiddleware());
  app.use(
    helmet({
      // Swagger UI at /docs loads its own scripts and inline styles.
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:', 'https:'] },
      },
    }),
  );
  app.use(
    `/${API_PREFIX}/memories/import`,
    parsedBody(express.text({ type: JSON_LINES, limit: config.IMPORT_BODY_LIMIT })),
  );
  app.use(parsedBody(express.json({ limit: config.BODY_LIMIT })));
  app.use(inputGuardMiddleware);
  app.enableCors({
    origin: corsOrigin(config.CORS_ORIGINS),
    // A browser client reads its limits (and when to retry) only from headers exposed to it.
    exposedHeaders: [
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'RateLimit-Policy',
      'Retry-After',
    ],
    // Mcp-Protocol-Version: browser-based MCP clients (the MCP Inspector) send it on every request.
    allowedHeaders: [
      'Authorization',
      'X-API-Key',
      'Content-Type',
      'X-Request-Id',
      'Last-Event-ID',
      'Mcp-Protocol-Version',
    ],
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', ...COMPAT_ROUTES] });
  app.useGlobalPipes(createValidationPipe());
  app.useWebSocketAdapter(new SocketIoAdapter(app, config));
  await setupOpenApi(app, config);
  mountJobDashboard(app);
  mountMetricsEndpoint(app);
  if (config.CONSOLE_ENABLED) mountConsole(app);
  await app.init();
  answerUnmatchedInErrorShape(app);
  return app;
}

/**
 * Nest answers unknown routes under the global prefix itself; anything else (`/v1/...`, `/x`)
 * and errors Express raises outside Nest (a path parameter that is not valid percent-encoding)
 * would get Express's HTML page. Registered after init, so after every route and mount.
 */
function answerUnmatchedInErrorShape(app: NestExpressApplication): void {
  const server = app.getHttpAdapter().getInstance();
  const requestId = (req: Request) => String((req as Request & { id?: string }).id ?? '');
  const notFound: express.RequestHandler = (req, res) => {
    const body = errorBodyOf(new NotFoundException(`Cannot ${req.method} ${req.path}`), requestId(req));
    res.status(body.statusCode).json(body);
  };
  const failed: express.ErrorRequestHandler = (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const body = errorBodyOf(error, requestId(req));
    res.status(body.statusCode).json(body);
  };
  server.use(notFound);
  server.use(failed);
}

/**
 * The worker process (`npm run start:worker`): the same modules without HTTP or realtime
 * clients, running the job processors (as twenty's queue worker does).
 */
export async function createWorker(config: AppConfig): Promise<INestApplicationContext> {
  const embedder = await EmbeddingService.create(config);
  const resources = new BootResources();
  try {
    const context = await NestFactory.createApplicationContext(
      AppModule.forRoot(config, embedder, resources, 'worker'),
      { bufferLogs: true, abortOnError: false },
    );
    context.useLogger(context.get(Logger));
    context.flushLogs();
    return context;
  } catch (error) {
    await resources.releaseAll();
    throw error;
  }
}

async function setupOpenApi(app: NestExpressApplication, config: AppConfig): Promise<void> {
  // What the Swagger plugin learned from the DTOs, for code not built by `nest build` (tests).
  await SwaggerModule.loadPluginMetadata(openApiMetadata);
  await addSuccessResponses(openApiMetadata);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('AgentMem API')
      .setDescription(
        'Long-term memory, core memory blocks, conversations, tools and live updates for AI agents. ' +
          'Authenticate with `Authorization: Bearer <access token or API key>` or `X-API-Key: <API key>`.',
      )
      .setVersion('0.1.0')
      .setLicense('MIT', 'https://opensource.org/license/mit')
      .addServer('/', 'The server that serves this document')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'JWT access token (from /auth/login) or an API key (am_...)' },
        'bearer',
      )
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key (am_...)' }, 'api-key')
      .addSecurityRequirements('bearer')
      .addSecurityRequirements('api-key')
      .build(),
  );
  markPublicOperations(document);
  SwaggerModule.setup(config.DOCS_PATH, app, document, { jsonDocumentUrl: `${config.DOCS_PATH}-json` });
}

/**
 * The document requires a credential (bearer or API key) at its root; the operations that take
 * none (`@Public()`: register, login, refresh, logout, the health probes) are the ones that
 * declare no security of their own, and say so with an empty list (a test checks that each of
 * them answers without a credential).
 */
function markPublicOperations(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation && operation.security === undefined) operation.security = [];
    }
  }
}
