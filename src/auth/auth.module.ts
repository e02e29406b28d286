import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { CredentialCache } from './credential-cache.js';
import { AuthService } from './auth.service.js';
import { ApiKey } from './entities/api-key.entity.js';
import { Organization } from './entities/organization.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { User } from './entities/user.entity.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { LoginRateLimitGuard } from './login-rate-limit.guard.js';
import { OrganizationRepository } from './organization.repository.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { TokenService } from './token.service.js';
import { UserRepository } from './user.repository.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** Organizations, users, roles, API keys, JWTs, and the global guard. Exports AuthService. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Organization, User, ApiKey, RefreshToken]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => ({
        secret: await resolveJwtSecret(config),
        signOptions: { expiresIn: config.JWT_ACCESS_TTL_SECONDS, algorithm: 'HS256', issuer: 'agentmem' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'agentmem' },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ApiKeysController],
  providers: [
    AuthService,
    UsersService,
    ApiKeysService,
    TokenService,
    PasswordHasher,
    CredentialCache,
    LoginRateLimitGuard,
    OrganizationRepository,
    UserRepository,
    ApiKeyRepository,
    RefreshTokenRepository,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
