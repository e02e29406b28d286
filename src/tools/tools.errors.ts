import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum ToolErrorCode {
  InvalidInput = 'INVALID_TOOL_INPUT',
  InvalidArguments = 'INVALID_TOOL_ARGUMENTS',
  NameTaken = 'TOOL_NAME_TAKEN',
  QueueFull = 'TOOL_QUEUE_FULL',
  SandboxUnavailable = 'SANDBOX_UNAVAILABLE',
  SecretsUnreadable = 'TOOL_SECRETS_UNREADABLE',
  /** Changing what a tool with secrets runs or reaches, without replacing the secrets, needs admin. */
  SecretsGuarded = 'TOOL_SECRETS_GUARDED',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<ToolErrorCode, ErrorKind> = {
  [ToolErrorCode.InvalidInput]: ErrorKind.Invalid,
  [ToolErrorCode.InvalidArguments]: ErrorKind.Invalid,
  [ToolErrorCode.NameTaken]: ErrorKind.Conflict,
  [ToolErrorCode.SecretsUnreadable]: ErrorKind.Conflict,
  [ToolErrorCode.SecretsGuarded]: ErrorKind.Forbidden,
  [ToolErrorCode.QueueFull]: ErrorKind.RateLimited,
  [ToolErrorCode.SandboxUnavailable]: ErrorKind.Unavailable,
};

/** Errors of the tool registry and of running tools. */
export class ToolError extends DomainError<ToolErrorCode> {
  protected readonly kinds = KINDS;
}
