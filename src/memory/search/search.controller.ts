import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { SearchResponseDto } from '../dto/memory-response.dto.js';
import { SearchMemoriesDto } from '../dto/search-memories.dto.js';
import { SearchService } from './search.service.js';

@ApiTags('search')
@Authenticated()
@Controller('search')
export class SearchController {
  constructor(private readonly searches: SearchService) {}

  /** The same hybrid search as POST /memories/search. */
  @Authenticated({ role: 'viewer' }) // a read, though it is a POST
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiBadRequestResponse({
    description: 'Empty query, bad filter (the message names it), or bad field',
    type: ErrorResponseDto,
  })
  search(@Body() body: SearchMemoriesDto): Promise<SearchResponseDto> {
    return this.searches.search(body);
  }
}
