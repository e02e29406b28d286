import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from '../common/context/principal.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';

export const PUBLIC_ROUTE = 'agentmem:public';
export const AUTH_OPTIONS = 'agentmem:auth';

export interface AuthenticatedOptions {
  /**
   * The least role the caller needs. Default: viewer for reads (GET, HEAD), member for
   * anything that writes, so viewers and read-scoped keys can never write.
   */
  role?: Role;
  /**
   * Also accept the credential as `?token=`: for streams opened by browsers' EventSource, which
   * cannot send headers. The token is redacted from logs.
   */
  queryToken?: boolean;
}

/** A route anyone may call, without credentials. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * Guards a route (or every route of a controller) and documents it: the global AuthGuard reads
 * these options, and the OpenAPI document shows both security schemes and the 401/403 answers.
 * Routes with neither this nor @Public() are still authenticated with the default roles.
 */
export const Authenticated = (options: AuthenticatedOptions = {}) =>
  applyDecorators(
    SetMetadata(AUTH_OPTIONS, options),
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid, expired or revoked credentials',
      type: ErrorResponseDto,
    }),
    ApiForbiddenResponse({ description: 'The caller’s role or key scope does not allow this', type: ErrorResponseDto }),
  );
