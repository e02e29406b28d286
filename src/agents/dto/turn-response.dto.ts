import { MessageResponseDto } from '../messages/dto/message-response.dto.js';

export class TurnUsageDto {
  promptTokens: number;
  completionTokens: number;
  /** LLM calls the turn made (1 + one per round of tool calls). */
  steps: number;
}

export class TurnResponseDto {
  requestId: string;
  /** The turn's new messages, in order: its input, then the assistant's and the tools'. */
  messages: MessageResponseDto[];
  usage: TurnUsageDto;
}
