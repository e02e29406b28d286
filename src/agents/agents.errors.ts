import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum AgentErrorCode {
  InvalidInput = 'INVALID_AGENT_INPUT',
  BlockOverLimit = 'BLOCK_OVER_LIMIT',
  LabelTaken = 'BLOCK_LABEL_TAKEN',
  ContextTooSmall = 'CONTEXT_WINDOW_TOO_SMALL',
  TurnBusy = 'AGENT_TURN_BUSY',
}

/** Errors of agents, their core memory blocks, messages and turns. */
export class AgentError extends DomainError {
  declare readonly code: AgentErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case AgentErrorCode.InvalidInput:
      case AgentErrorCode.BlockOverLimit:
      case AgentErrorCode.ContextTooSmall:
        return ErrorKind.Invalid;
      case AgentErrorCode.LabelTaken:
      case AgentErrorCode.TurnBusy:
        return ErrorKind.Conflict;
      default:
        return assertNever(this.code);
    }
  }
}
