import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { OrganizationLimits } from './entities/organization-limits.entity.js';
import { LimitsController } from './limits.controller.js';
import { LimitsRepository } from './limits.repository.js';
import { LimitsService } from './limits.service.js';
import { RequestLimitInterceptor } from './request-limit.interceptor.js';

/**
 * Limits per key and per organization. Exports LimitsService: the memory module asks it for
 * room before adds, the tools module before each sandboxed run; the request limits run as a
 * global interceptor.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationLimits]), AuthModule],
  controllers: [LimitsController],
  providers: [LimitsService, LimitsRepository, { provide: APP_INTERCEPTOR, useClass: RequestLimitInterceptor }],
  exports: [LimitsService],
})
export class LimitsModule {}
