import type { Request, RequestHandler } from 'express';
import { ClsMiddleware, ClsMiddlewareOptions } from 'nestjs-cls';

/**
 * Opens the request context (nestjs-cls: request id, then the caller) for every HTTP request,
 * whatever its path. Mounted on Express by bootstrap rather than by ClsModule: Nest would prefix
 * its mount point with `/api/v1`, and the compat routes (`/v1/...`, `/v3/...`, `/mcp`) live
 * outside that prefix. Runs after requestIdMiddleware, whose id it takes.
 */
export function requestContextMiddleware(): RequestHandler {
  const options = Object.assign(new ClsMiddlewareOptions(), {
    generateId: true,
    idGenerator: (req: Request & { id?: string }) => String(req.id),
    // No CLS plugins or proxy providers here; their registries are process-wide singletons that
    // another app's failed start in the same process (the tests) leaves broken.
    initializePlugins: false,
    resolveProxyProviders: false,
  });
  const middleware = new ClsMiddleware(options);
  // ClsMiddleware hands its own errors to next; a rejection past that still reaches Express.
  return (req, res, next) => {
    middleware.use(req, res, next).catch(next);
  };
}
