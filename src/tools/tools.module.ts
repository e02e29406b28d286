import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { resolveJwtSecret } from '../auth/jwt-secret.js';
import { AppConfig } from '../config/app-config.js';
import { LimitsModule } from '../limits/limits.module.js';
import { Tool } from './entities/tool.entity.js';
import { ToolRun } from './entities/tool-run.entity.js';
import { SandboxPool } from './sandbox/sandbox-pool.js';
import { ToolRepository } from './tool.repository.js';
import { ToolSecrets } from './tool-secrets.js';
import { ToolsController } from './tools.controller.js';
import { ToolsService } from './tools.service.js';

/**
 * The tool registry and sandboxed execution. Exports ToolsService; the agents module imports
 * this one and adapts it to its loop (agents/loop/registry-tool-source.ts): tools know nothing
 * of agents.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Tool, ToolRun]), LimitsModule],
  controllers: [ToolsController],
  providers: [
    ToolsService,
    ToolRepository,
    SandboxPool,
    {
      provide: ToolSecrets,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => new ToolSecrets(await resolveJwtSecret(config)),
    },
  ],
  exports: [ToolsService],
})
export class ToolsModule {}
