import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

export class SseEventsQueryDto {
  /** Only this agent's events (its conversation messages included); omit for every event of your organization. */
  @IsOptional()
  @IsUUID('all', { message: 'agentId must be the UUID of one of your agents' })
  agentId?: string;

  /** The credential, for browsers' EventSource (which cannot send headers). */
  @IsOptional()
  @IsString()
  token?: string;
}

export class SseLlmQueryDto {
  /** The id of the LLM request to follow (returned when the request was started). */
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'requestId may contain only letters, digits, _ . : -' })
  requestId: string;

  @IsOptional()
  @IsString()
  token?: string;
}
