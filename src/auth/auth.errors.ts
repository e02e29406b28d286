import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

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

export class AuthError extends DomainError {
  declare readonly code: AuthErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case AuthErrorCode.MissingCredentials:
      case AuthErrorCode.InvalidCredentials:
      case AuthErrorCode.InvalidToken:
      case AuthErrorCode.TokenExpired:
      case AuthErrorCode.InvalidApiKey:
      case AuthErrorCode.RefreshTokenReused:
        return ErrorKind.Unauthenticated;
      case AuthErrorCode.InsufficientRole:
      case AuthErrorCode.RegistrationDisabled:
      case AuthErrorCode.ScopeExceedsRole:
        return ErrorKind.Forbidden;
      case AuthErrorCode.EmailTaken:
      case AuthErrorCode.LastOwner:
        return ErrorKind.Conflict;
      case AuthErrorCode.InvalidExpiry:
        return ErrorKind.Invalid;
      case AuthErrorCode.RateLimited:
        return ErrorKind.RateLimited;
      default:
        return assertNever(this.code);
    }
  }
}
