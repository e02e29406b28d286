import { BadRequestException, NotFoundException } from '@nestjs/common';
import { AuthError, AuthErrorCode } from '../../auth/auth.errors.js';
import { CommonError } from './common.errors.js';
import { errorBodyOf } from './all-exceptions.filter.js';

describe('errorBodyOf', () => {
  it('maps every auth error code to a 4xx status', () => {
    for (const code of Object.values(AuthErrorCode)) {
      const body = errorBodyOf(new AuthError(code, 'm'), 'r');
      expect(body.statusCode).toBeGreaterThanOrEqual(400);
      expect(body.statusCode).toBeLessThan(500);
      expect(body.code).toBe(code);
    }
    expect(errorBodyOf(new AuthError(AuthErrorCode.InvalidApiKey, 'm'), 'r').statusCode).toBe(401);
    expect(errorBodyOf(new AuthError(AuthErrorCode.InsufficientRole, 'm'), 'r').statusCode).toBe(403);
    expect(errorBodyOf(new AuthError(AuthErrorCode.EmailTaken, 'm'), 'r').statusCode).toBe(409);
  });

  it('answers 404 for a missing row, naming it', () => {
    expect(errorBodyOf(CommonError.notFound('user', 'abc'), 'req-1')).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'user abc not found',
      code: 'NOT_FOUND',
      requestId: 'req-1',
    });
  });

  it('keeps validation details and joins array messages', () => {
    const body = errorBodyOf(
      new BadRequestException({ message: 'a must be b', code: 'VALIDATION_FAILED', details: [{ field: 'a' }] }),
      'r',
    );
    expect(body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', details: [{ field: 'a' }] });
    expect(errorBodyOf(new BadRequestException(['x', 'y']), 'r').message).toBe('x; y');
    expect(errorBodyOf(new NotFoundException('Cannot GET /x'), 'r')).toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
    });
  });

  it('answers body-parser failures as 4xx', () => {
    expect(errorBodyOf({ type: 'entity.parse.failed', status: 400, message: 'Unexpected end' }, 'r')).toMatchObject({
      statusCode: 400,
      code: 'MALFORMED_JSON',
    });
    expect(errorBodyOf({ type: 'entity.too.large', status: 413, message: 'too large' }, 'r')).toMatchObject({
      statusCode: 413,
    });
    // The router's undecodable path parameter (http-errors, exposed).
    expect(
      errorBodyOf(Object.assign(new Error("Failed to decode param '%E0%A4%A'"), { status: 400, expose: true }), 'r'),
    ).toMatchObject({ statusCode: 400 });
    expect(errorBodyOf(Object.assign(new Error('secret'), { status: 400 }), 'r')).toMatchObject({ statusCode: 500 });
  });

  it('hides the details of anything unexpected behind a 500 with the request id', () => {
    const body = errorBodyOf(new Error('connection string postgres://secret@db'), 'req-9');
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error (request req-9)',
      code: 'INTERNAL',
      requestId: 'req-9',
    });
  });
});
