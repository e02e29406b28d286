import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantContext } from '../../common/context/tenant-context.js';
import { CommonError } from '../../common/errors/common.errors.js';
import { isUniqueViolation } from '../../common/errors/database-errors.js';
import { EventBus } from '../../common/events/event-bus.js';
import { uuidv7 } from '../../common/ids.js';
import { Page } from '../../common/pagination/page.js';
import { agentUpdated } from '../agent.events.js';
import { AgentHotReads } from '../agent-hot-reads.js';
import { AgentError, AgentErrorCode } from '../agents.errors.js';
import type { Block } from '../entities/block.entity.js';
import type { KeysetWindow } from '../../common/pagination/keyset-window.js';
import { BlockRepository } from './block.repository.js';
import type { BlockChanges } from './block.repository.js';
import { BlockResponseDto } from './dto/block-response.dto.js';
import { DEFAULT_BLOCK_LIMIT } from './dto/create-block.dto.js';
import type { CreateBlockDto } from './dto/create-block.dto.js';
import type { UpdateBlockDto } from './dto/update-block.dto.js';

/** The blocks an agent gets when it is created without any. */
export const DEFAULT_BLOCKS: CreateBlockDto[] = [
  {
    label: 'persona',
    value: '',
    description: 'Who you are and how you behave. Keep it up to date as your persona develops.',
  },
  {
    label: 'human',
    value: '',
    description: 'What you know about the person you are talking with: name, preferences, facts worth keeping at hand.',
  },
];

/** Why an edit by the agent loop was refused: the model gets this text back as the tool's error. */
export class BlockEditRefused extends Error {}

function checkLimit(label: string, value: string, limit: number, field = 'value'): void {
  if (value.length > limit) {
    throw new AgentError(
      AgentErrorCode.BlockOverLimit,
      `${field} of block "${label}" would be ${value.length} characters; its limit is ${limit}`,
    );
  }
}

/**
 * Core memory blocks (Letta's): labelled texts, each with a character limit, rendered into the
 * prompt of every agent they are attached to. A block may be shared by several agents.
 */
@Injectable()
export class BlocksService {
  constructor(
    private readonly blocks: BlockRepository,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
    private readonly hot: AgentHotReads,
  ) {}

  /** New block rows (not yet stored); refuses a value over its limit. */
  build(inputs: CreateBlockDto[], field: string): Block[] {
    const labels = new Set<string>();
    const now = new Date();
    return inputs.map((input, i) => {
      const path = field ? `${field}.${i}.` : '';
      if (labels.has(input.label))
        throw new AgentError(
          AgentErrorCode.LabelTaken,
          `${path}label "${input.label}" is given twice; labels are unique per agent`,
        );
      labels.add(input.label);
      const limit = input.limit ?? DEFAULT_BLOCK_LIMIT;
      const value = input.value ?? '';
      checkLimit(input.label, value, limit, `${path}value`);
      return {
        id: uuidv7(),
        organizationId: this.tenant.organizationId,
        label: input.label,
        value,
        limit,
        description: input.description ?? null,
        readOnly: input.readOnly ?? false,
        metadata: input.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      };
    });
  }

  /** Stores new blocks and attaches them (and existing ones) to an agent, inside the caller's transaction. */
  async attachAll(m: EntityManager, agentId: string, created: Block[], existingIds: string[]): Promise<void> {
    await this.blocks.insert(m, created);
    const existing: Block[] = [];
    for (const id of existingIds) {
      const block = await this.blocks.find(id, m);
      if (!block) throw CommonError.notFound('block', id);
      existing.push(block);
    }
    try {
      await this.blocks.attach(m, agentId, [...created, ...existing]);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AgentError(
          AgentErrorCode.LabelTaken,
          'two blocks of the agent have the same label; labels are unique per agent',
        );
      throw error;
    }
  }

  /**
   * Makes an agent's blocks exactly `blockIds`, inside the caller's transaction: the others are
   * detached (and kept), the new ones attached after those that stay (404 for a block of no
   * agent of the organization, 409 for a label the agent would have twice).
   */
  async replaceAttachments(m: EntityManager, agentId: string, blockIds: string[]): Promise<void> {
    const ids = [...new Set(blockIds)];
    const current = new Set((await this.blocks.ofAgent(agentId, m)).map((b) => b.id));
    await this.blocks.detachAllBut(m, agentId, ids);
    await this.attachAll(
      m,
      agentId,
      [],
      ids.filter((id) => !current.has(id)),
    );
  }

  async create(input: CreateBlockDto): Promise<BlockResponseDto> {
    const [block] = this.build([input], '');
    await this.blocks.transaction((m) => this.blocks.insert(m, [block]));
    return BlockResponseDto.from(block, []);
  }

  /** Creates a block attached to one agent (whose label must be free on it). */
  async createForAgent(agentId: string, input: CreateBlockDto): Promise<BlockResponseDto> {
    const [block] = this.build([input], '');
    await this.blocks.transaction((m) => this.attachAll(m, agentId, [block], []));
    await this.announce(block.id);
    return BlockResponseDto.from(block, [agentId]);
  }

  async list(limit: number, cursor: string | undefined, label: string | undefined): Promise<Page<BlockResponseDto>> {
    const page = await this.blocks.page(limit, cursor, label);
    const agents = await this.blocks.agentIdsOf(page.data.map((b) => b.id));
    return {
      data: page.data.map((b) => BlockResponseDto.from(b, agents.get(b.id) ?? [])),
      nextCursor: page.nextCursor,
    };
  }

  /** A window of the organization's blocks by keyset in either direction (Letta's lists). */
  async window(w: KeysetWindow, label: string | undefined): Promise<BlockResponseDto[]> {
    const blocks = await this.blocks.window(w, label);
    const agents = await this.blocks.agentIdsOf(blocks.map((b) => b.id));
    return blocks.map((b) => BlockResponseDto.from(b, agents.get(b.id) ?? []));
  }

  async get(id: string): Promise<BlockResponseDto> {
    const block = await this.blocks.find(id);
    if (!block) throw CommonError.notFound('block', id);
    return this.respond(block);
  }

  /** The caller's block (without the agents it is attached to), or a 404. */
  async find(id: string): Promise<Block> {
    const block = await this.blocks.find(id);
    if (!block) throw CommonError.notFound('block', id);
    return block;
  }

  async ofAgent(agentId: string): Promise<BlockResponseDto[]> {
    const blocks = await this.blocks.ofAgent(agentId);
    const agents = await this.blocks.agentIdsOf(blocks.map((b) => b.id));
    return blocks.map((b) => BlockResponseDto.from(b, agents.get(b.id) ?? []));
  }

  /** The blocks of several agents (a page of agents), with two queries whatever their number. */
  async ofAgents(agentIds: string[]): Promise<Map<string, BlockResponseDto[]>> {
    const byAgent = await this.blocks.ofAgents(agentIds);
    const blockIds = [...new Set([...byAgent.values()].flat().map((b) => b.id))];
    const agents = await this.blocks.agentIdsOf(blockIds);
    return new Map(
      [...byAgent].map(([agentId, blocks]) => [
        agentId,
        blocks.map((b) => BlockResponseDto.from(b, agents.get(b.id) ?? [])),
      ]),
    );
  }

  /** The raw blocks of an agent, for its prompt (from the hot-read cache; treat them as read-only). */
  forPrompt(agentId: string): Promise<Block[]> {
    return this.hot.blocksOf(agentId);
  }

  async ofAgentByLabel(agentId: string, label: string): Promise<BlockResponseDto> {
    const block = await this.blocks.ofAgentByLabel(agentId, label);
    if (!block) throw CommonError.notFound('block', `${label} of agent ${agentId}`);
    return this.respond(block);
  }

  /** An edit through the API (read-only blocks included: the flag binds the agent loop only). */
  async update(id: string, input: UpdateBlockDto): Promise<BlockResponseDto> {
    const changes: BlockChanges = { ...input };
    await this.blocks.transaction(async (m) => {
      const block = await this.blocks.findForUpdate(m, id);
      if (!block) throw CommonError.notFound('block', id);
      const label = input.label ?? block.label;
      checkLimit(
        label,
        input.value ?? block.value,
        input.limit ?? block.limit,
        input.value !== undefined ? 'value' : 'limit: the current value',
      );
      try {
        await this.blocks.update(m, id, changes);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AgentError(
            AgentErrorCode.LabelTaken,
            `label "${label}" is taken by another block of an agent this block is attached to`,
          );
        throw error;
      }
    });
    await this.announce(id);
    return this.get(id);
  }

  async updateOfAgent(agentId: string, label: string, input: UpdateBlockDto): Promise<BlockResponseDto> {
    const block = await this.blocks.ofAgentByLabel(agentId, label);
    if (!block) throw CommonError.notFound('block', `${label} of agent ${agentId}`);
    return this.update(block.id, input);
  }

  async remove(id: string): Promise<void> {
    const agents = (await this.blocks.agentIdsOf([id])).get(id) ?? [];
    if (!(await this.blocks.delete(id))) throw CommonError.notFound('block', id);
    await this.hot.changed(agents);
    this.events.publish(agents.map((agentId) => agentUpdated(this.tenant.organizationId, agentId, 'updated')));
  }

  async attach(agentId: string, blockId: string): Promise<void> {
    await this.blocks.transaction(async (m) => {
      const block = await this.blocks.find(blockId, m);
      if (!block) throw CommonError.notFound('block', blockId);
      const attached = await this.blocks.ofAgent(agentId, m);
      if (attached.some((b) => b.id === blockId)) return;
      if (attached.some((b) => b.label === block.label))
        throw new AgentError(AgentErrorCode.LabelTaken, `the agent already has a block labelled "${block.label}"`);
      await this.attachAll(m, agentId, [], [blockId]);
    });
  }

  async detach(agentId: string, blockId: string): Promise<void> {
    if (!(await this.blocks.detach(agentId, blockId)))
      throw CommonError.notFound('block', `${blockId} attached to agent ${agentId}`);
  }

  /**
   * An edit by the agent loop: refused (with the reason, for the model) when the block is
   * read-only, missing, or would exceed its limit. `edit` gets the current value and returns the new one.
   */
  async editByAgent(agentId: string, label: string, edit: (value: string) => string): Promise<Block> {
    const updated = await this.blocks.transaction(async (m) => {
      const attached = (await this.blocks.ofAgent(agentId, m)).find((b) => b.label === label);
      if (!attached) throw new BlockEditRefused(`there is no block labelled "${label}"`);
      const block = (await this.blocks.findForUpdate(m, attached.id))!;
      if (block.readOnly) throw new BlockEditRefused(`block "${label}" is read-only`);
      const value = edit(block.value);
      if (value.length > block.limit)
        throw new BlockEditRefused(
          `block "${label}" would be ${value.length} characters; its limit is ${block.limit}. Make room first (core_memory_replace) or write less.`,
        );
      await this.blocks.update(m, block.id, { value });
      return { ...block, value, updatedAt: new Date() };
    });
    await this.announce(updated.id);
    return updated;
  }

  private async respond(block: Block): Promise<BlockResponseDto> {
    return BlockResponseDto.from(block, (await this.blocks.agentIdsOf([block.id])).get(block.id) ?? []);
  }

  /**
   * After a change of the block committed: no process serves the old block in the turns of the
   * agents it is attached to (awaited, so before the change is answered), and their clients hear it.
   */
  private async announce(blockId: string): Promise<void> {
    const agents = (await this.blocks.agentIdsOf([blockId])).get(blockId) ?? [];
    await this.hot.changed(agents);
    this.events.publish(agents.map((agentId) => agentUpdated(this.tenant.organizationId, agentId, 'updated')));
  }
}
