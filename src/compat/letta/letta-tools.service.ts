import { Injectable } from '@nestjs/common';
import { TOOL_NAME, TOOL_NAME_MESSAGE } from '../../tools/dto/create-tool.dto.js';
import type { CreateToolDto } from '../../tools/dto/create-tool.dto.js';
import type { UpdateToolDto } from '../../tools/dto/update-tool.dto.js';
import { ToolsService } from '../../tools/tools.service.js';
import type {
  LettaCreateToolDto,
  LettaListToolsQueryDto,
  LettaToolDto,
  LettaUpdateToolDto,
} from './dto/letta-tool.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';
import { toLettaTool } from './letta-mappers.js';
import { pageWindow } from './letta-paging.js';
import { checkJavaScript, FUNCTION_NAME } from './letta-tool-source.js';

function checkName(name: string): string {
  if (!TOOL_NAME.test(name))
    throw new LettaError(LettaErrorCode.InvalidInput, `json_schema.name: ${TOOL_NAME_MESSAGE.replace(/^name /, '')}`);
  return name;
}

function stringField(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : undefined;
}

function objectField(object: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const value = object?.[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Letta's tools translated onto the tool registry (ToolsService). */
@Injectable()
export class LettaToolsService {
  constructor(private readonly tools: ToolsService) {}

  async create(input: LettaCreateToolDto): Promise<LettaToolDto> {
    checkJavaScript(input.source_code, input.source_type);
    const name = stringField(input.json_schema, 'name') ?? FUNCTION_NAME.exec(input.source_code)?.[1];
    if (!name)
      throw new LettaError(
        LettaErrorCode.InvalidInput,
        'json_schema.name is required when source_code declares no named function',
      );
    checkName(name);
    const description = input.description ?? stringField(input.json_schema, 'description');
    if (!description)
      throw new LettaError(LettaErrorCode.InvalidInput, 'description (or json_schema.description) is required');
    const create: CreateToolDto = {
      name,
      description,
      parameters: objectField(input.json_schema, 'parameters') ??
        input.args_json_schema ?? { type: 'object', properties: {} },
      sourceCode: input.source_code,
      tags: input.tags,
    };
    return toLettaTool(await this.tools.create(create));
  }

  async list(query: LettaListToolsQueryDto): Promise<LettaToolDto[]> {
    return (await this.tools.window(pageWindow(query, 'asc'), query.name)).map(toLettaTool);
  }

  async get(id: string): Promise<LettaToolDto> {
    return toLettaTool(await this.tools.find(id));
  }

  async update(id: string, input: LettaUpdateToolDto): Promise<LettaToolDto> {
    checkJavaScript(input.source_code, input.source_type);
    const changes: UpdateToolDto = {};
    const name = stringField(input.json_schema, 'name');
    const description = input.description ?? stringField(input.json_schema, 'description');
    const parameters = objectField(input.json_schema, 'parameters') ?? input.args_json_schema;
    if (name !== undefined) changes.name = checkName(name);
    if (description !== undefined) changes.description = description;
    if (parameters !== undefined) changes.parameters = parameters;
    if (input.source_code !== undefined) changes.sourceCode = input.source_code;
    if (input.tags !== undefined) changes.tags = input.tags;
    if (input.metadata_ !== undefined) changes.metadata = input.metadata_;
    await this.tools.update(id, changes);
    return this.get(id);
  }

  remove(id: string): Promise<void> {
    return this.tools.remove(id);
  }
}
