import { PartialType } from '@nestjs/swagger';
import { CreateAgentDto } from './create-agent.dto.js';

/** Any of the fields of an agent; the others stay as they are. */
export class UpdateAgentDto extends PartialType(CreateAgentDto) {}
