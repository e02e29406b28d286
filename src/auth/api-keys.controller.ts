import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { Authenticated } from './decorators.js';
import { ApiKeyPageResponseDto, ApiKeyResponseDto, CreatedApiKeyResponseDto } from './dto/api-key-response.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('api-keys')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@ApiNotFoundResponse({ description: 'No such key in your organization', type: ErrorResponseDto })
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /**
   * Creates an API key. The key is in this response only; the server keeps a hash. Its scopes
   * cannot exceed your own role.
   */
  @Post()
  create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(body);
  }

  /** The organization's keys (prefix only), oldest first, revoked ones included. */
  @Get()
  list(@Query() query: PageQueryDto): Promise<ApiKeyPageResponseDto> {
    return this.keys.list(query.limit, query.cursor);
  }

  /** One key of your organization, without the secret. */
  @Get(':id')
  get(@Param('id', ParseId) id: string): Promise<ApiKeyResponseDto> {
    return this.keys.get(id);
  }

  /**
   * Revokes a key at once: its next request gets 401. A key may revoke itself (even a read-only
   * one); admins revoke any key; others the personal keys they made, up to their own level.
   */
  @Delete(':id')
  @Authenticated({ role: 'viewer' })
  @HttpCode(HttpStatus.NO_CONTENT)
  revoke(@Param('id', ParseId) id: string): Promise<void> {
    return this.keys.revoke(id);
  }
}
