import { Module } from '@nestjs/common';
import { AgentsModule } from '../../agents/agents.module.js';
import { MemoryModule } from '../../memory/memory.module.js';
import { McpServerFactory } from './mcp-server.factory.js';
import { McpTools } from './mcp-tools.js';
import { McpController } from './mcp.controller.js';

/** The MCP server at `/mcp`: AgentMem's memory as tools for MCP clients (Claude, Cursor, agent SDKs). */
@Module({
  imports: [MemoryModule, AgentsModule],
  controllers: [McpController],
  providers: [McpTools, McpServerFactory],
})
export class McpModule {}
