import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';

const WINDOW_MS = 60_000;

/**
 * Limits the unauthenticated auth routes (register, login, refresh) per client address to
 * AUTH_RATE_LIMIT_PER_MINUTE, against password guessing. A fixed one-minute window kept in
 * process memory. (@nestjs/throttler 6 is CommonJS over the ESM-only Nest 12 and cannot be
 * loaded by jest on Node 20; shared limits over Redis come with the Redis-backed modules.)
 */
@Injectable()
export class LoginRateLimitGuard implements CanActivate {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const now = Date.now();
    const key = `${req.ip ?? 'unknown'}`;
    let window = this.windows.get(key);
    if (!window || now - window.start >= WINDOW_MS) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    const limit = this.config.AUTH_RATE_LIMIT_PER_MINUTE;
    if (window.count > limit) {
      const retryAfter = Math.ceil((window.start + WINDOW_MS - now) / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      throw new AuthError(AuthErrorCode.RateLimited, `Too many authentication attempts from this address; retry in ${retryAfter} s`);
    }
    return true;
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(key);
  }
}
