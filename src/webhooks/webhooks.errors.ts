import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum WebhookErrorCode {
  InvalidInput = 'INVALID_WEBHOOK_INPUT',
  /** The url is (or resolves to) a private address, or is not https, and the server allows neither. */
  UrlRefused = 'WEBHOOK_URL_REFUSED',
  LimitReached = 'WEBHOOK_LIMIT_REACHED',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<WebhookErrorCode, ErrorKind> = {
  [WebhookErrorCode.InvalidInput]: ErrorKind.Invalid,
  [WebhookErrorCode.UrlRefused]: ErrorKind.Invalid,
  [WebhookErrorCode.LimitReached]: ErrorKind.Conflict,
};

/** Errors of webhook registration. */
export class WebhookError extends DomainError<WebhookErrorCode> {
  protected readonly kinds = KINDS;
}
