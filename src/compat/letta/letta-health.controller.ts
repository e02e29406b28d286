import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { LettaHealthDto } from './dto/letta-health.dto.js';

/** The Letta API version whose client this compatibility layer was written against. */
const LETTA_API_VERSION = '1.12.1';

/** Letta's health check (`client.health()`). */
@ApiTags('letta')
@Authenticated()
@Controller('v1/health')
export class LettaHealthController {
  /** Letta: the server answers (with a valid key); readiness in depth is GET /health/ready. */
  @Get()
  health(): LettaHealthDto {
    return { status: 'ok', version: LETTA_API_VERSION };
  }
}
