import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ApiProperty, PickType } from '@nestjs/swagger';
import { ScopeDto } from '../../memory/dto/create-memory.dto.js';

export const INPUT_ROLES = ['user', 'system'] as const;

export class TurnMessageDto {
  /** user (default), or system for an instruction to the agent for this turn. */
  @ApiProperty({ enum: INPUT_ROLES, required: false, example: 'user' })
  @IsOptional()
  @IsIn(INPUT_ROLES)
  role: (typeof INPUT_ROLES)[number] = 'user';

  /** @example "Hi, I'm Alice. I moved to Berlin last month." */
  @IsString()
  @MinLength(1)
  @MaxLength(100000)
  content: string;
}

/** One turn of a conversation with an agent: `userId` (the end user talking: each has their own conversation and memory) and `runId` are checked as memory scopes are. */
export class SendMessagesDto extends PickType(ScopeDto, ['userId', 'runId'] as const) {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => TurnMessageDto)
  messages: TurnMessageDto[];

  /** Answer with a Server-Sent Events stream of the turn's events instead of one JSON body. */
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  /** Your id for this turn (a UUID), to follow it on `GET /sse/llm?requestId=` or Socket.IO before it starts. Default: a new one. */
  @IsOptional()
  @IsUUID('all', { message: 'requestId must be a UUID' })
  requestId?: string;
}
