import { Module } from '@nestjs/common';
import { LettaModule } from './letta/letta.module.js';
import { McpModule } from './mcp/mcp.module.js';
import { Mem0Module } from './mem0/mem0.module.js';

/**
 * Drop-in APIs for the official clients of other memory servers (Mem0's `MemoryClient`, Letta's
 * `@letta-ai/letta-client`) and an MCP server: each a thin translation onto the existing
 * services, with the same tenant rules and roles as the REST API.
 */
@Module({ imports: [Mem0Module, LettaModule, McpModule] })
export class CompatModule {}
