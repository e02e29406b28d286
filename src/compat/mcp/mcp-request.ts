import { BadRequestException, NotAcceptableException, UnsupportedMediaTypeException } from '@nestjs/common';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import {
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';

/** The SDK's limit of messages in one batch (its `MAX_BATCH_SIZE`, not exported). */
export const MAX_BATCH_SIZE = 100;

/**
 * Refuses, in the server's one error shape, every POST the SDK's streamable HTTP transport would
 * itself refuse with a JSON-RPC body (406, 415, 400): the same checks, in the same order, made
 * first, so the transport only ever answers 200 or 202. Stateless, so the session checks do not
 * apply.
 */
export function checkMcpPost(headers: Record<string, string | string[] | undefined>, body: unknown): void {
  const accept = headerOf(headers, 'accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream'))
    throw new NotAcceptableException({
      message: 'Accept must list both application/json and text/event-stream (MCP streamable HTTP)',
      code: 'NOT_ACCEPTABLE',
    });
  if (!isJsonContentType(headerOf(headers, 'content-type')))
    throw new UnsupportedMediaTypeException({
      message: 'Content-Type must be application/json (a JSON-RPC message or batch)',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length > MAX_BATCH_SIZE) throw invalidMessage(`a batch holds at most ${MAX_BATCH_SIZE} messages`);
  const index = messages.findIndex((m) => !JSONRPCMessageSchema.safeParse(m).success);
  if (index >= 0)
    throw invalidMessage(
      `${Array.isArray(body) ? `body.${index}` : 'body'} is not a JSON-RPC 2.0 request, notification or response`,
    );
  if (messages.some(isInitializeRequest)) {
    if (messages.length > 1) throw invalidMessage('an initialize request must be sent alone, not in a batch');
    return;
  }
  const version = headerOf(headers, 'mcp-protocol-version');
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
    throw new BadRequestException({
      message: `MCP-Protocol-Version ${version} is not supported (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      code: 'UNSUPPORTED_PROTOCOL_VERSION',
    });
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function invalidMessage(problem: string): BadRequestException {
  return new BadRequestException({ message: `Invalid MCP message: ${problem}`, code: 'INVALID_JSONRPC_MESSAGE' });
}
