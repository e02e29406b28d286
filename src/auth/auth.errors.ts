import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum AuthErrorCode {
  MissingCredentials = 'MISSING_CREDENTIALS',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  InvalidToken = 'INVALID_TOKEN',
  TokenExpired = 'TOKEN_EXPIRED',
  InvalidApiKey = 'INVALID_API_KEY',
  RefreshTokenReused = 'REFRESH_TOKEN_REUSED',
  InsufficientRole = 'INSUFFICIENT_ROLE',
  EmailTaken = 'EMAIL_TAKEN',
  RegistrationDisabled = 'REGISTRATION_DISABLED',
  LastOwner = 'LAST_OWNER',
  ScopeExceedsRole = 'SCOPE_EXCEEDS_ROLE',
  InvalidExpiry = 'INVALID_EXPIRY',
  RateLimited = 'RATE_LIMITED',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<AuthErrorCode, ErrorKind> = {
  [AuthErrorCode.MissingCredentials]: ErrorKind.Unauthenticated,
  [AuthErrorCode.InvalidCredentials]: ErrorKind.Unauthenticated,
  [AuthErrorCode.InvalidToken]: ErrorKind.Unauthenticated,
  [AuthErrorCode.TokenExpired]: ErrorKind.Unauthenticated,
  [AuthErrorCode.InvalidApiKey]: ErrorKind.Unauthenticated,
  [AuthErrorCode.RefreshTokenReused]: ErrorKind.Unauthenticated,
  [AuthErrorCode.InsufficientRole]: ErrorKind.Forbidden,
  [AuthErrorCode.RegistrationDisabled]: ErrorKind.Forbidden,
  [AuthErrorCode.ScopeExceedsRole]: ErrorKind.Forbidden,
  [AuthErrorCode.EmailTaken]: ErrorKind.Conflict,
  [AuthErrorCode.LastOwner]: ErrorKind.Conflict,
  [AuthErrorCode.InvalidExpiry]: ErrorKind.Invalid,
  [AuthErrorCode.RateLimited]: ErrorKind.RateLimited,
};

export class AuthError extends DomainError<AuthErrorCode> {
  protected readonly kinds = KINDS;
}
