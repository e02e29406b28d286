import { AuthError } from '../auth/auth.errors.js';
import type { AuthService } from '../auth/auth.service.js';

/** How often long-lived connections (sockets, SSE streams) have their credential checked again. */
export const CREDENTIAL_RECHECK_MS = 60_000;

/**
 * Whether a connection's credential still holds for its organization: 'valid', 'unknown' (the
 * check itself failed, e.g. the database is down: keep the connection), or why it no longer does.
 */
export async function credentialVerdict(
  auth: AuthService,
  credential: string,
  organizationId: string,
): Promise<string> {
  try {
    const principal = await auth.authenticate(credential);
    return principal.organizationId === organizationId
      ? 'valid'
      : 'Your credential no longer belongs to this organization';
  } catch (error) {
    return error instanceof AuthError ? `Your credential is no longer valid: ${error.message}` : 'unknown';
  }
}
