import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

export const MEM0_FEEDBACK = ['POSITIVE', 'NEGATIVE', 'VERY_NEGATIVE'] as const;
export type Mem0Feedback = (typeof MEM0_FEEDBACK)[number];

/** `POST /v1/feedback/`: moves the memory's importance (which search boosts by). */
export class Mem0FeedbackDto {
  @IsUUID('all', { message: 'memory_id must be a memory id (a UUID)' })
  memory_id: string;

  @ApiProperty({ enum: MEM0_FEEDBACK, required: false, nullable: true })
  @IsOptional()
  @IsIn(MEM0_FEEDBACK)
  feedback?: Mem0Feedback | null;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  feedback_reason?: string | null;
}
