import { MessageResponseDto } from '../messages/dto/message-response.dto.js';

export class TurnUsageDto {
  promptTokens: number;
  completionTokens: number;
  /** LLM calls the turn made (1 + one per round of tool calls). */
  steps: number;
}

/** A long-term memory the turn put in the agent's system prompt. */
export class TurnMemoryDto {
  id: string;
  memory: string;
  /** Its search score for the turn's input. */
  score: number;
}

export class TurnResponseDto {
  requestId: string;
  /** The turn's new messages, in order: its input, then the assistant's and the tools'. */
  messages: MessageResponseDto[];
  usage: TurnUsageDto;
  /** The memories of the user's scope found for this input and put in the prompt (AGENT_CONTEXT_MEMORIES). */
  memories: TurnMemoryDto[];
}
