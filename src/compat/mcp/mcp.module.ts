import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ClsMiddleware } from 'nestjs-cls';
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
export class McpModule implements NestModule {
  /**
   * CommonModule's ClsModule mounts its middleware under the global prefix only, and `/mcp` is
   * outside it: without a request context the AuthGuard could not store the caller, and the
   * repositories could not read the tenant. The same middleware, with the same options, here.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ClsMiddleware).forRoutes(McpController);
  }
}
