import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { AuthService } from './auth.service.js';
import { Authenticated, Public } from './decorators.js';
import { AuthTokensResponseDto } from './dto/auth-tokens-response.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { MeResponseDto } from './dto/me-response.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { LoginRateLimitGuard } from './login-rate-limit.guard.js';

const TOO_MANY = {
  description: 'Too many attempts from this address (AUTH_RATE_LIMIT_PER_MINUTE)',
  type: ErrorResponseDto,
};

@ApiTags('auth')
@ApiBadRequestResponse({ description: 'Invalid body; the message names the field', type: ErrorResponseDto })
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Creates an organization with you as its owner, and logs you in. */
  @Public()
  @UseGuards(LoginRateLimitGuard)
  @ApiTooManyRequestsResponse(TOO_MANY)
  @Post('register')
  @ApiConflictResponse({ description: 'The email is already registered', type: ErrorResponseDto })
  register(@Body() body: RegisterDto): Promise<AuthTokensResponseDto> {
    return this.auth.register(body);
  }

  /** Exchanges email and password for an access token and a refresh token. */
  @Public()
  @UseGuards(LoginRateLimitGuard)
  @ApiTooManyRequestsResponse(TOO_MANY)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiUnauthorizedResponse({ description: 'Email or password is wrong', type: ErrorResponseDto })
  login(@Body() body: LoginDto): Promise<AuthTokensResponseDto> {
    return this.auth.login(body);
  }

  /**
   * Exchanges a refresh token for a new pair. Each refresh token works once; presenting a used
   * one again revokes every token of that session.
   */
  @Public()
  @UseGuards(LoginRateLimitGuard)
  @ApiTooManyRequestsResponse(TOO_MANY)
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiUnauthorizedResponse({ description: 'Invalid, expired, revoked or reused refresh token', type: ErrorResponseDto })
  refresh(@Body() body: RefreshDto): Promise<AuthTokensResponseDto> {
    return this.auth.refresh(body.refreshToken);
  }

  /** Ends the session of a refresh token (it and its successors stop working). */
  @Public()
  @UseGuards(LoginRateLimitGuard)
  @ApiTooManyRequestsResponse(TOO_MANY)
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  logout(@Body() body: RefreshDto): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }

  /** The caller: user or API key, organization and effective role. */
  @Authenticated()
  @Get('me')
  me(): Promise<MeResponseDto> {
    return this.auth.me();
  }
}
