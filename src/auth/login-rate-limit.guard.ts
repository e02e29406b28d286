import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { RateCounter, secondsLeft } from '../common/rate-counter.js';
import { AppConfig } from '../config/app-config.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';

const WINDOW_MS = 60_000;

/**
 * Limits the unauthenticated auth routes (register, login, refresh) per client address to
 * AUTH_RATE_LIMIT_PER_MINUTE, against password guessing: a fixed one-minute window, shared by
 * every replica through Redis when REDIS_URL is set. (@nestjs/throttler 6 is CommonJS over the
 * ESM-only Nest 12 and cannot be loaded by jest on Node 20.)
 */
@Injectable()
export class LoginRateLimitGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly counter: RateCounter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const { count, resetInMs } = await this.counter.hit(`auth:${req.ip ?? 'unknown'}`, WINDOW_MS);
    if (count > this.config.AUTH_RATE_LIMIT_PER_MINUTE) {
      const retryAfter = secondsLeft(resetInMs);
      throw new AuthError(
        AuthErrorCode.RateLimited,
        `Too many authentication attempts from this address; retry in ${retryAfter} s`,
        { retryAfter },
      );
    }
    return true;
  }
}
