import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MemoryModule } from '../memory/memory.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { AgentHotReads } from './agent-hot-reads.js';
import { AgentRepository } from './agent.repository.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';
import { AgentBlocksController } from './blocks/agent-blocks.controller.js';
import { BlockRepository } from './blocks/block.repository.js';
import { BlocksController } from './blocks/blocks.controller.js';
import { BlocksService } from './blocks/blocks.service.js';
import { Agent } from './entities/agent.entity.js';
import { Block } from './entities/block.entity.js';
import { Message } from './entities/message.entity.js';
import { AgentLoopService } from './loop/agent-loop.service.js';
import { AgentToolSource } from './loop/agent-tools.js';
import { MemoryTools } from './loop/memory-tools.js';
import { RegistryToolSource } from './loop/registry-tool-source.js';
import { AgentMessagesController } from './messages/agent-messages.controller.js';
import { MessageRepository } from './messages/message.repository.js';
import { MessagesService } from './messages/messages.service.js';

/**
 * Agents, their core memory blocks and messages, and the agent loop. Exports AgentsService, and
 * for the compatibility APIs (compat/) the blocks, messages and loop services they translate onto.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Agent, Block, Message]), MemoryModule, ToolsModule],
  controllers: [AgentsController, AgentBlocksController, BlocksController, AgentMessagesController],
  providers: [
    AgentsService,
    AgentRepository,
    AgentHotReads,
    BlocksService,
    BlockRepository,
    MessagesService,
    MessageRepository,
    MemoryTools,
    AgentLoopService,
    { provide: AgentToolSource, useClass: RegistryToolSource },
  ],
  exports: [AgentsService, BlocksService, MessagesService, AgentLoopService],
})
export class AgentsModule {}
