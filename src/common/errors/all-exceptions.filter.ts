import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { assertNever, DomainError, ErrorKind } from './domain-error.js';
import type { ErrorResponseDto } from './error-response.dto.js';

function statusOf(kind: ErrorKind): number {
  switch (kind) {
    case ErrorKind.Invalid:
      return HttpStatus.BAD_REQUEST;
    case ErrorKind.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case ErrorKind.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ErrorKind.NotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorKind.Conflict:
      return HttpStatus.CONFLICT;
    case ErrorKind.TooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorKind.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorKind.Upstream:
      return HttpStatus.BAD_GATEWAY;
    case ErrorKind.Unavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    default:
      return assertNever(kind);
  }
}

/** Codes for errors raised by the framework rather than by a service. */
function codeOfStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    default:
      return status >= 500 ? 'INTERNAL' : 'HTTP_' + status;
  }
}

/**
 * Errors Express's own middleware raises before any route runs (`http-errors`: body-parser's
 * malformed JSON and size limits, the router's undecodable path parameters).
 */
interface ExpressHttpError {
  type?: string;
  status: number;
  expose?: boolean;
  message: string;
}
function isExpressHttpError(e: unknown): e is ExpressHttpError {
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as Partial<ExpressHttpError>;
  return typeof candidate.status === 'number' && (typeof candidate.type === 'string' || candidate.expose === true);
}

/**
 * Maps every error to `{statusCode, error, message, code, details?, requestId}`. Anything that
 * is not a known error is logged with the request id and answered as a bare 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const body = errorBodyOf(exception, String(req.id ?? ''));
    if (body.statusCode >= 500) {
      this.logger.error(
        {
          err: exception,
          requestId: body.requestId,
          path: req.originalUrl.replace(/([?&]token=)[^&]*/g, '$1[redacted]'),
        },
        'unhandled error',
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    // Every rate limit says when to come back the same way: its details' retryAfter (seconds).
    const retryAfter = (body.details as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (body.statusCode === 429 && typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(body.statusCode).json(body);
  }
}

/** The error shape for any thrown value (also used for body-parser failures before routing). */
export function errorBodyOf(exception: unknown, requestId: string): ErrorResponseDto {
  if (exception instanceof DomainError) {
    const error = exception as DomainError<string>;
    return shape(statusOf(error.kind), error.message, error.code, error.details, requestId);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let code = codeOfStatus(status);
    let details: unknown;
    if (typeof response === 'object' && response !== null) {
      const r = response as { message?: unknown; code?: string; details?: unknown };
      if (Array.isArray(r.message)) message = r.message.join('; ');
      else if (typeof r.message === 'string') message = r.message;
      if (typeof r.code === 'string') code = r.code;
      details = r.details;
    }
    return shape(status, message, code, details, requestId);
  }
  if (isExpressHttpError(exception) && exception.status >= 400 && exception.status < 500) {
    const message =
      exception.type === 'entity.parse.failed'
        ? `Malformed JSON in request body: ${exception.message}`
        : exception.type === 'entity.too.large'
          ? 'Request body is larger than the server accepts (BODY_LIMIT)'
          : exception.message;
    const code = exception.type === 'entity.parse.failed' ? 'MALFORMED_JSON' : codeOfStatus(exception.status);
    return shape(exception.status, message, code, undefined, requestId);
  }
  return shape(500, `Internal server error (request ${requestId})`, 'INTERNAL', undefined, requestId);
}

function shape(
  statusCode: number,
  message: string,
  code: string,
  details: unknown,
  requestId: string,
): ErrorResponseDto {
  const body: ErrorResponseDto = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code, requestId };
  if (details !== undefined) body.details = details;
  return body;
}
