import createClient from 'openapi-fetch';
import type { paths } from './schema';
import type { ErrorBody } from './types';
import { bearer, freshBearer, refreshTokens } from '../auth/tokens';

/** An error answer of the API: its status, code and message (which names the field at fault). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /**
   * Whether the id asked for names nothing this caller can see: 404 (none, or another
   * organization's), or 400 for an id that is not one (a mistyped link).
   */
  static isMissing(error: unknown): boolean {
    return error instanceof ApiError && (error.status === 404 || error.status === 400);
  }
}

/**
 * fetch with the credential: the request is cloned before it is sent, so that after a 401 it
 * can be sent again once, with the token a refresh gave.
 */
export async function authedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const token = await freshBearer();
  if (token) input.headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(input);
  if (response.status !== 401) return response;
  // Refreshed meanwhile (by another request or tab): the new token is tried without spending another refresh.
  if (bearer() === token && !(await refreshTokens())) return response;
  if (!bearer()) return response;
  retry.headers.set('Authorization', `Bearer ${bearer() ?? ''}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: '', fetch: authedFetch });

export async function errorOf(response: Response, body?: unknown): Promise<ApiError> {
  let parsed = body;
  if (parsed === undefined) parsed = await response.json().catch(() => undefined);
  const e = (parsed ?? {}) as Partial<ErrorBody>;
  return new ApiError(
    response.status,
    e.code ?? `HTTP_${response.status}`,
    e.message ?? response.statusText ?? 'Request failed',
    e.details,
  );
}

/** The data of an openapi-fetch answer, or its error thrown as an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw await errorOf(response, error);
  return data as NonNullable<T>;
}

/** A raw authenticated request, for bodies openapi-fetch does not model (JSON Lines, streams, files). */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await authedFetch(new Request(path, init));
  if (!response.ok) throw await errorOf(response);
  return response;
}
