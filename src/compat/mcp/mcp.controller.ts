import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  MethodNotAllowedException,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiExcludeEndpoint,
  ApiNotAcceptableResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { checkMcpPost } from './mcp-request.js';
import { McpServerFactory } from './mcp-server.factory.js';

const JSONRPC_REQUEST = {
  type: 'object',
  required: ['jsonrpc', 'method'],
  properties: {
    jsonrpc: { type: 'string', enum: ['2.0'] },
    id: { oneOf: [{ type: 'string' }, { type: 'integer' }], description: 'Absent for a notification' },
    method: { type: 'string', description: 'initialize, tools/list, tools/call, ping, notifications/...' },
    params: { type: 'object', additionalProperties: true },
  },
  example: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
};

const JSONRPC_RESPONSE = {
  type: 'object',
  required: ['jsonrpc'],
  properties: {
    jsonrpc: { type: 'string', enum: ['2.0'] },
    id: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    result: { type: 'object', additionalProperties: true },
    error: {
      type: 'object',
      properties: { code: { type: 'integer' }, message: { type: 'string' }, data: {} },
    },
  },
};

/**
 * The MCP server (streamable HTTP, stateless, JSON answers) at `/mcp`, outside the `/api/v1`
 * prefix. Any valid credential may connect; each tool checks the role its REST route needs.
 */
@ApiTags('mcp')
@Authenticated({ role: 'viewer' })
@Controller('mcp')
export class McpController {
  constructor(private readonly servers: McpServerFactory) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Model Context Protocol (streamable HTTP)',
    description:
      'One JSON-RPC message (or batch) of the Model Context Protocol: initialize, tools/list, tools/call of add_memory, ' +
      'search_memory, list_memories, get_memory, update_memory, delete_memory, get_core_memory and ' +
      'update_core_memory_block. Stateless: no Mcp-Session-Id; answers are JSON. Send ' +
      '`Accept: application/json, text/event-stream` as MCP clients do. A tool refused (invalid arguments, ' +
      'a read-only key writing, an unknown id) answers 200 with a tool result whose isError is true.',
  })
  @ApiBody({ schema: JSONRPC_REQUEST })
  @ApiOkResponse({ description: 'The JSON-RPC response(s) to the request(s)', schema: JSONRPC_RESPONSE })
  @ApiAcceptedResponse({ description: 'Notifications or responses only: accepted, no body' })
  @ApiBadRequestResponse({
    description: 'Not a JSON-RPC message, or an unsupported protocol version',
    type: ErrorResponseDto,
  })
  @ApiNotAcceptableResponse({
    description: 'Accept lacks application/json or text/event-stream',
    type: ErrorResponseDto,
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'The body is not application/json', type: ErrorResponseDto })
  async handle(@Req() req: Request & { id?: string }, @Res() res: Response): Promise<void> {
    checkMcpPost(req.headers, req.body);
    const server = this.servers.create(String(req.id ?? ''));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /** No server-initiated stream in stateless mode (the SDK's client takes the 405 as "none"). */
  @Get()
  @ApiExcludeEndpoint()
  openStream(@Res({ passthrough: true }) res: Response): never {
    return methodNotAllowed(res);
  }

  /** No session to end in stateless mode. */
  @Delete()
  @ApiExcludeEndpoint()
  endSession(@Res({ passthrough: true }) res: Response): never {
    return methodNotAllowed(res);
  }
}

function methodNotAllowed(res: Response): never {
  res.setHeader('Allow', 'POST');
  throw new MethodNotAllowedException({
    message: 'This MCP server is stateless: POST JSON-RPC messages to /mcp (no GET stream, no session to DELETE)',
    code: 'METHOD_NOT_ALLOWED',
  });
}
