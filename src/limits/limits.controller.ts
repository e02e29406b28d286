import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { OrganizationLimitsResponseDto } from './dto/organization-limits-response.dto.js';
import { UpdateOrganizationLimitsDto } from './dto/update-organization-limits.dto.js';
import { LimitsService } from './limits.service.js';

/** An organization's limits: memories stored, requests and tool runs per minute. */
@ApiTags('organizations')
@Authenticated({ role: 'admin' })
@ApiNotFoundResponse({
  description: 'No such organization, or not yours (only the installation owner reaches others)',
  type: ErrorResponseDto,
})
@Controller('organizations')
export class LimitsController {
  constructor(private readonly limits: LimitsService) {}

  /** The organization's limits, its own and those in force (admins of it, or the installation owner). */
  @Get(':id/limits')
  get(@Param('id', ParseId) id: string): Promise<OrganizationLimitsResponseDto> {
    return this.limits.read(id);
  }

  /**
   * Sets the organization's limits (the installation owner only: an owner of the installation's
   * first organization). Fields left out stay; null returns one to the installation default.
   */
  @Patch(':id/limits')
  @ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
  update(
    @Param('id', ParseId) id: string,
    @Body() body: UpdateOrganizationLimitsDto,
  ): Promise<OrganizationLimitsResponseDto> {
    return this.limits.update(id, body);
  }
}
