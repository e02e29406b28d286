import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

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

/** Errors of the tool registry and of running tools. */
export class ToolError extends DomainError {
  declare readonly code: ToolErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case ToolErrorCode.InvalidInput:
      case ToolErrorCode.InvalidArguments:
        return ErrorKind.Invalid;
      case ToolErrorCode.NameTaken:
      case ToolErrorCode.SecretsUnreadable:
        return ErrorKind.Conflict;
      case ToolErrorCode.SecretsGuarded:
        return ErrorKind.Forbidden;
      case ToolErrorCode.QueueFull:
        return ErrorKind.RateLimited;
      case ToolErrorCode.SandboxUnavailable:
        return ErrorKind.Unavailable;
      default:
        return assertNever(this.code);
    }
  }
}
