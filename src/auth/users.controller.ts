import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { ParseId } from '../common/id-param.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { Authenticated } from './decorators.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserPageResponseDto, UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@ApiNotFoundResponse({ description: 'No such user in your organization', type: ErrorResponseDto })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Adds a user to your organization (admins and owners; only owners add owners). */
  @Authenticated({ role: 'admin' })
  @Post()
  @ApiConflictResponse({ description: 'The email is already registered', type: ErrorResponseDto })
  create(@Body() body: CreateUserDto): Promise<UserResponseDto> {
    return this.users.create(body);
  }

  /** The users of your organization, oldest first. */
  @Get()
  list(@Query() query: PageQueryDto): Promise<UserPageResponseDto> {
    return this.users.list(query.limit, query.cursor);
  }

  /** One user of your organization (404 for any other organization's user). */
  @Get(':id')
  get(@Param('id', ParseId) id: string): Promise<UserResponseDto> {
    return this.users.get(id);
  }

  /** Changes a user's name, role or password (yourself, or anyone as admin; owners only by owners). */
  @Patch(':id')
  @ApiConflictResponse({
    description: 'The change would leave the organization without an owner',
    type: ErrorResponseDto,
  })
  update(@Param('id', ParseId) id: string, @Body() body: UpdateUserDto): Promise<UserResponseDto> {
    return this.users.update(id, body);
  }

  /** Removes a user (admins; owners only by owners; never the last owner). */
  @Authenticated({ role: 'admin' })
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.users.remove(id);
  }
}
