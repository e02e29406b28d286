import { BadRequestException, HttpException, Injectable, Logger, Type } from '@nestjs/common';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { isUUID } from 'class-validator';
import { AgentsService } from '../../agents/agents.service.js';
import { BlocksService } from '../../agents/blocks/blocks.service.js';
import { UpdateBlockDto } from '../../agents/blocks/dto/update-block.dto.js';
import { AuthError, AuthErrorCode } from '../../auth/auth.errors.js';
import { roleAtLeast } from '../../common/context/principal.js';
import type { Role } from '../../common/context/principal.js';
import { TenantContext } from '../../common/context/tenant-context.js';
import { errorBodyOf } from '../../common/errors/all-exceptions.filter.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { createValidationPipe } from '../../common/validation.js';
import { CreateMemoryDto } from '../../memory/dto/create-memory.dto.js';
import { ListMemoriesQueryDto } from '../../memory/dto/list-memories-query.dto.js';
import { SearchMemoriesDto } from '../../memory/dto/search-memories.dto.js';
import { UpdateMemoryDto } from '../../memory/dto/update-memory.dto.js';
import { MemoryService } from '../../memory/memory.service.js';
import { SearchService } from '../../memory/search/search.service.js';
import {
  ADD_MEMORY_INPUT,
  DELETE_MEMORY_INPUT,
  GET_CORE_MEMORY_INPUT,
  GET_MEMORY_INPUT,
  LIST_MEMORIES_INPUT,
  SEARCH_MEMORY_INPUT,
  UPDATE_CORE_MEMORY_BLOCK_INPUT,
  UPDATE_MEMORY_INPUT,
} from './mcp-tool-schemas.js';

type Args = Record<string, unknown>;

interface ToolSpec {
  definition: Tool;
  /** The least role the caller needs, as the REST route of the same action asks. */
  role: Role;
  run: (args: Args) => Promise<object>;
}

/** An unknown tool name: the SDK answers it as a JSON-RPC invalid-params error. */
export class UnknownToolError extends Error {}

/**
 * The MCP tools: each a thin call onto the service the REST route calls, with its arguments
 * checked by the same DTO classes and validation pipe (so the same rules and messages), run as
 * the request's principal (the tenant context the AuthGuard filled).
 */
@Injectable()
export class McpTools {
  private readonly logger = new Logger('Mcp');
  private readonly validation = createValidationPipe();
  private readonly tools = new Map<string, ToolSpec>();

  constructor(
    private readonly memories: MemoryService,
    private readonly searches: SearchService,
    private readonly agents: AgentsService,
    private readonly blocks: BlocksService,
    private readonly tenant: TenantContext,
  ) {
    this.declareTools();
  }

  /** Every tool with its JSON Schema, in a stable order. */
  definitions(): Tool[] {
    return [...this.tools.values()].map((t) => t.definition);
  }

  /**
   * Runs a tool. Refusals (invalid arguments naming the field, a role too low, a foreign or
   * missing id) come back as a tool error carrying the REST error body, so the model can read
   * and correct them; anything unexpected is logged and reported by request id only.
   */
  async call(name: string, args: Args | undefined, requestId: string): Promise<CallToolResult> {
    const tool = this.tools.get(name);
    if (!tool) throw new UnknownToolError(`Unknown tool "${name}"; tools/list names the tools of this server`);
    try {
      this.checkRole(name, tool.role);
      const result = await tool.run(args ?? {});
      // The exact JSON the text carries (dates as ISO strings), as an object for structured clients.
      const json = JSON.stringify(result);
      return { content: [{ type: 'text', text: json }], structuredContent: JSON.parse(json) as Args };
    } catch (error) {
      const body = errorBodyOf(error, requestId);
      if (!(error instanceof DomainError) && !(error instanceof HttpException))
        this.logger.error({ err: error, requestId, tool: name }, 'MCP tool failed');
      return { content: [{ type: 'text', text: JSON.stringify(body) }], isError: true };
    }
  }

  private declareTools(): void {
    this.declare(
      {
        name: 'add_memory',
        title: 'Add a memory',
        description:
          'Remembers a text or a conversation for a user, agent and/or run (give at least one of userId, agentId, runId). With infer (the default) and an LLM configured on the server, facts are extracted and reconciled with existing memories (ADD/UPDATE/DELETE/NONE); otherwise the text is stored as given.',
        inputSchema: ADD_MEMORY_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      },
      'member',
      async (args) => this.memories.add(await this.validate(CreateMemoryDto, args)),
    );
    this.declare(
      {
        name: 'search_memory',
        title: 'Search memories',
        description:
          'Hybrid search (full text and vectors, fused) over the memories of your organization, optionally within a user, agent or run, best first.',
        inputSchema: SEARCH_MEMORY_INPUT,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      'viewer',
      async (args) => this.searches.search(await this.validate(SearchMemoriesDto, args)),
    );
    this.declare(
      {
        name: 'list_memories',
        title: 'List memories',
        description:
          'Memories by scope, type and creation time, oldest first, a page at a time ({data, nextCursor}; pass nextCursor as cursor for the next page).',
        inputSchema: LIST_MEMORIES_INPUT,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      'viewer',
      // Its DTO reads a query string, which has no nulls: a null is an absent parameter here.
      async (args) => this.memories.list(await this.validate(ListMemoriesQueryDto, withoutNulls(args))),
    );
    this.declare(
      {
        name: 'get_memory',
        title: 'Get a memory',
        description: 'One memory by id.',
        inputSchema: GET_MEMORY_INPUT,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      'viewer',
      (args) => this.memories.get(this.idOf(args, 'id', GET_MEMORY_INPUT)),
    );
    this.declare(
      {
        name: 'update_memory',
        title: 'Update a memory',
        description: 'Changes a memory’s text, metadata, type or importance; the change is recorded in its history.',
        inputSchema: UPDATE_MEMORY_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      },
      'member',
      async ({ id, ...changes }) =>
        this.memories.update(this.idOf({ id }, 'id'), await this.validate(UpdateMemoryDto, changes)),
    );
    this.declare(
      {
        name: 'delete_memory',
        title: 'Delete a memory',
        description: 'Deletes a memory (its history stays readable).',
        inputSchema: DELETE_MEMORY_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      },
      'member',
      async (args) => {
        const id = this.idOf(args, 'id', DELETE_MEMORY_INPUT);
        await this.memories.remove(id);
        return { id, deleted: true };
      },
    );
    this.declare(
      {
        name: 'get_core_memory',
        title: 'Get an agent’s core memory',
        description:
          'The core memory blocks of an agent (labelled texts such as persona and human, each with a character limit), in the order they were attached.',
        inputSchema: GET_CORE_MEMORY_INPUT,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      'viewer',
      async (args) => {
        const agentId = this.idOf(args, 'agentId', GET_CORE_MEMORY_INPUT);
        await this.agents.find(agentId);
        return { agentId, blocks: await this.blocks.ofAgent(agentId) };
      },
    );
    this.declare(
      {
        name: 'update_core_memory_block',
        title: 'Update a core memory block',
        description:
          'Changes one core memory block of an agent, found by its label: its value (replaced whole), description or limit. A value over the limit is refused and nothing changes.',
        inputSchema: UPDATE_CORE_MEMORY_BLOCK_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      },
      'member',
      async ({ agentId, label, ...changes }) => {
        const id = this.idOf({ agentId }, 'agentId');
        if (typeof label !== 'string' || label.length === 0)
          throw invalid('label', 'label must be the label of one of the agent’s blocks, e.g. "persona"');
        const input = await this.validate(UpdateBlockDto, changes);
        await this.agents.find(id);
        return this.blocks.updateOfAgent(id, label, input);
      },
    );
  }

  private declare(definition: Tool, role: Role, run: (args: Args) => Promise<object>): void {
    this.tools.set(definition.name, { definition, role, run });
  }

  private checkRole(tool: string, required: Role): void {
    const principal = this.tenant.principal;
    if (roleAtLeast(principal.role, required)) return;
    const who =
      principal.kind === 'api_key'
        ? `this API key's scopes (${principal.scopes.join(', ')})`
        : `your role (${principal.role})`;
    throw new AuthError(
      AuthErrorCode.InsufficientRole,
      `${tool} needs the ${required} role or above; ${who} does not allow it`,
    );
  }

  /** The arguments as a DTO instance, checked exactly as the REST route's body or query is. */
  private async validate<T extends object>(dto: Type<T>, args: Args): Promise<T> {
    return (await this.validation.transform(args, { type: 'body', metatype: dto, data: '' })) as T;
  }

  /**
   * A UUID argument; with the tool's schema, also refuses unknown fields (the DTOs do that for
   * the other tools).
   */
  private idOf(args: Args, field: string, schema?: Tool['inputSchema']): string {
    if (schema) {
      const unknown = Object.keys(args).filter((key) => !(key in (schema.properties ?? {})));
      if (unknown.length) throw invalid(unknown[0], `property ${unknown[0]} should not exist`);
    }
    const value = args[field];
    if (typeof value !== 'string' || !isUUID(value)) throw invalid(field, `${field} must be a UUID`);
    return value;
  }
}

function withoutNulls(args: Args): Args {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null));
}

function invalid(field: string, problem: string): BadRequestException {
  return new BadRequestException({
    message: problem,
    code: 'VALIDATION_FAILED',
    details: [{ field, problems: [problem] }],
  });
}
