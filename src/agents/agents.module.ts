import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentRepository } from './agent.repository.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';
import { Agent } from './entities/agent.entity.js';

/** Agents of an organization. Exports AgentsService. */
@Module({
  imports: [TypeOrmModule.forFeature([Agent])],
  controllers: [AgentsController],
  providers: [AgentsService, AgentRepository],
  exports: [AgentsService],
})
export class AgentsModule {}
