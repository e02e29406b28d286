import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { from, mergeMap } from 'rxjs';
import type { Observable } from 'rxjs';
import { PUBLIC_ROUTE } from '../auth/decorators.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { LimitsService } from './limits.service.js';

/**
 * The request limits of every authenticated route (REST, the Mem0 and Letta routes, MCP, SSE):
 * an interceptor, so it runs after the global AuthGuard has set the caller. Public routes
 * (health, docs, login: that one has its own limit per address) are left alone. Sets the
 * RateLimit-* headers on every limited answer (a 429's Retry-After is the error filter's, for
 * every rate limit alike).
 */
@Injectable()
export class RequestLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenant: TenantContext,
    private readonly limits: LimitsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]))
      return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    return from(this.limits.admitRequest(this.tenant.principal)).pipe(
      mergeMap(({ headers, refused }) => {
        if (!res.headersSent) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        if (refused) throw refused;
        return next.handle();
      }),
    );
  }
}
