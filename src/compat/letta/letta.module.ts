import { Module } from '@nestjs/common';
import { AgentsModule } from '../../agents/agents.module.js';
import { MemoryModule } from '../../memory/memory.module.js';
import { ToolsModule } from '../../tools/tools.module.js';
import { LettaAgentsController } from './letta-agents.controller.js';
import { LettaAgentFileService } from './letta-agent-file.service.js';
import { LettaAgentsService } from './letta-agents.service.js';
import { LettaArchivalController } from './letta-archival.controller.js';
import { LettaArchivalService } from './letta-archival.service.js';
import { LettaBlocksController } from './letta-blocks.controller.js';
import { LettaBlocksService } from './letta-blocks.service.js';
import { LettaHealthController } from './letta-health.controller.js';
import { LettaMessagesController } from './letta-messages.controller.js';
import { LettaToolsController } from './letta-tools.controller.js';
import { LettaToolsService } from './letta-tools.service.js';
import { LettaTurnsService } from './letta-turns.service.js';

/**
 * Letta's REST API at `/v1/...`, for `@letta-ai/letta-client` (1.12.1) with only its baseURL
 * and key changed: agents with core memory blocks, shared blocks, archival memory (the agent's
 * memories), messages and streams (the agent loop), and JavaScript tools. A translation onto the
 * agents, memory and tools services, with their tenant rules and roles.
 */
@Module({
  imports: [AgentsModule, MemoryModule, ToolsModule],
  controllers: [
    LettaAgentsController,
    LettaArchivalController,
    LettaMessagesController,
    LettaBlocksController,
    LettaToolsController,
    LettaHealthController,
  ],
  providers: [
    LettaAgentsService,
    LettaAgentFileService,
    LettaArchivalService,
    LettaBlocksService,
    LettaToolsService,
    LettaTurnsService,
  ],
})
export class LettaModule {}
