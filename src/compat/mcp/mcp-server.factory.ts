import { Injectable } from '@nestjs/common';
// The low-level Server, not McpServer: McpServer takes tool inputs as zod schemas and checks
// them itself, which would state every DTO rule a second time; here the tools list JSON Schemas
// and the REST DTOs (class-validator) check the arguments, as they do over REST.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { McpTools, UnknownToolError } from './mcp-tools.js';

const SERVER_INFO = { name: 'agentmem', title: 'AgentMem', version: '0.1.0' };
const INSTRUCTIONS =
  'AgentMem is a long-term memory store. Search it (search_memory) before answering questions about the user or ' +
  'past conversations; add what is worth remembering (add_memory) with a userId, agentId or runId as scope. ' +
  'Agents created in AgentMem also have core memory blocks (get_core_memory, update_core_memory_block).';

/**
 * tools/call with any params. The SDK's base protocol parses a request with the handler's schema
 * before its tools/call wrapper runs, so with CallToolRequestSchema a non-object `arguments`
 * came back as -32603 Internal error; with this one the wrapper checks the request and answers
 * -32602 Invalid params naming the field.
 */
const ANY_TOOL_CALL = z.looseObject({ method: z.literal('tools/call') });

/**
 * One MCP server per HTTP request (stateless streamable HTTP, as the SDK's stateless example):
 * no session outlives its request, so any replica can answer any request, and the handlers run
 * inside the request's async context, where the tenant context holds the caller.
 */
@Injectable()
export class McpServerFactory {
  /**
   * One JSON Schema validator for every request's server: each Server would otherwise make an
   * Ajv of its own (for elicitation, which this server never asks) on every request.
   */
  private readonly validator = new AjvJsonSchemaValidator();

  constructor(private readonly tools: McpTools) {}

  create(requestId: string): Server {
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: {} },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: this.validator,
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.tools.definitions() }));
    server.setRequestHandler(ANY_TOOL_CALL, async (request) => {
      const { params } = CallToolRequestSchema.parse(request);
      try {
        return await this.tools.call(params.name, params.arguments, requestId);
      } catch (error) {
        if (error instanceof UnknownToolError) throw new McpError(ErrorCode.InvalidParams, error.message);
        throw error;
      }
    });
    return server;
  }
}
