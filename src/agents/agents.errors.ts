import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum AgentErrorCode {
  InvalidInput = 'INVALID_AGENT_INPUT',
  BlockOverLimit = 'BLOCK_OVER_LIMIT',
  LabelTaken = 'BLOCK_LABEL_TAKEN',
  ContextTooSmall = 'CONTEXT_WINDOW_TOO_SMALL',
  TurnBusy = 'AGENT_TURN_BUSY',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<AgentErrorCode, ErrorKind> = {
  [AgentErrorCode.InvalidInput]: ErrorKind.Invalid,
  [AgentErrorCode.BlockOverLimit]: ErrorKind.Invalid,
  [AgentErrorCode.ContextTooSmall]: ErrorKind.Invalid,
  [AgentErrorCode.LabelTaken]: ErrorKind.Conflict,
  [AgentErrorCode.TurnBusy]: ErrorKind.Conflict,
};

/** Errors of agents, their core memory blocks, messages and turns. */
export class AgentError extends DomainError<AgentErrorCode> {
  protected readonly kinds = KINDS;
}
