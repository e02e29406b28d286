import { Injectable, Logger, Optional } from '@nestjs/common';
import { jsonSchema, streamText, tool } from 'ai';
import type { ModelMessage, ToolSet } from 'ai';
import { TenantContext } from '../../common/context/tenant-context.js';
import { CommonError } from '../../common/errors/common.errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { uuidv7 } from '../../common/ids.js';
import { LeaseLock, LockTimeout } from '../../common/locks/lease-lock.js';
import { AppConfig } from '../../config/app-config.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { QueueName } from '../../jobs/jobs.types.js';
import { ChatModelService } from '../../llm/chat-model.service.js';
import { LlmStreamPublisher } from '../../llm/llm-stream.publisher.js';
import { countTokens, MESSAGE_OVERHEAD_TOKENS } from '../../llm/tokens.js';
import { SearchService } from '../../memory/search/search.service.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { AgentHotReads } from '../agent-hot-reads.js';
import { AgentError, AgentErrorCode } from '../agents.errors.js';
import { BlocksService } from '../blocks/blocks.service.js';
import type { SendMessagesDto } from '../dto/send-messages.dto.js';
import type { TurnResponseDto } from '../dto/turn-response.dto.js';
import type { Agent } from '../entities/agent.entity.js';
import type { Message, StoredToolCall } from '../entities/message.entity.js';
import { MessageResponseDto } from '../messages/dto/message-response.dto.js';
import { MessagesService } from '../messages/messages.service.js';
import type { Conversation, MessageDraft } from '../messages/messages.service.js';
import { AgentToolSource } from './agent-tools.js';
import type { AgentTool, ToolOutcome, TurnScope } from './agent-tools.js';
import { chooseHistory, fitMemories, room } from './budget.js';
import type { TurnLimits } from './budget.js';
import { renderSystemPrompt } from './context.js';
import type { PromptMemory } from './context.js';
import { MemoryTools } from './memory-tools.js';
import { readStep, runToolCalls } from './step.js';
import type { TurnEvent, TurnEventSink } from './turn-events.js';

/** The most characters of a tool's result kept (and shown to the model). */
const TOOL_RESULT_CHARS = 16000;
/** How much of the turn's text is the query for the prompt's memories. */
const MEMORY_QUERY_CHARS = 2000;

/**
 * The agent loop. One turn: store the input; build the prompt (system prompt, core memory
 * blocks, memories found for the input, the newest messages that fit the window); call the
 * model with the memory tools and the agent's own; run the tools it calls and go round again,
 * at most maxSteps times; store every message; then queue memory extraction of the turn.
 * Turns of one agent with one user run one at a time, across processes.
 */
@Injectable()
export class AgentLoopService {
  private readonly logger = new Logger('AgentLoop');

  constructor(
    private readonly agents: AgentHotReads,
    private readonly blocks: BlocksService,
    private readonly messages: MessagesService,
    private readonly memoryTools: MemoryTools,
    private readonly searches: SearchService,
    private readonly chat: ChatModelService,
    private readonly jobs: JobsService,
    private readonly stream: LlmStreamPublisher,
    private readonly lock: LeaseLock,
    private readonly tenant: TenantContext,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Optional() private readonly toolSource?: AgentToolSource,
  ) {}

  /**
   * Checks what can be checked before anything is stored or streamed: the agent is the
   * caller's (404), a model is available for it (503). Returns the agent.
   */
  async prepare(agentId: string): Promise<Agent> {
    const agent = await this.agents.find(agentId);
    if (!agent) throw CommonError.notFound('agent', agentId);
    this.chat.chatModel(agent.model);
    return agent;
  }

  /**
   * Runs a turn, telling `sink` (and the agent's live followers) every event. Errors before the
   * first stored message are thrown; later ones too, after an `error` event.
   */
  async run(agent: Agent, input: SendMessagesDto, sink: TurnEventSink = () => undefined): Promise<TurnResponseDto> {
    const requestId = input.requestId ?? uuidv7();
    const scope: TurnScope = { agentId: agent.id, userId: input.userId ?? null, runId: input.runId ?? null, requestId };
    const organizationId = this.tenant.organizationId;
    const emit = (event: TurnEvent): void => {
      sink(event);
      this.stream.chunk(organizationId, {
        requestId,
        agentId: agent.id,
        chunk: event,
        isFinal: event.type === 'done' || event.type === 'error',
      });
    };
    try {
      const result = await this.lock.run(
        `turn:${organizationId}:${agent.id}:${scope.userId ?? ''}`,
        this.config.AGENT_TURN_WAIT_MS,
        () => this.turn(agent, input, scope, emit),
      );
      emit({ type: 'done', requestId });
      return result;
    } catch (error) {
      const failure =
        error instanceof LockTimeout
          ? new AgentError(
              AgentErrorCode.TurnBusy,
              `another turn of agent ${agent.id} with this user is still running; try again later`,
            )
          : error;
      const known = failure instanceof DomainError;
      if (!known) this.logger.error(`turn ${requestId} failed: ${(failure as Error).stack ?? String(failure)}`);
      emit({
        type: 'error',
        code: known ? (failure as DomainError<string>).code : 'INTERNAL',
        message: known ? failure.message : 'The turn failed; see the server log',
      });
      throw failure;
    }
  }

  private async turn(
    agent: Agent,
    input: SendMessagesDto,
    scope: TurnScope,
    emit: (e: TurnEvent) => void,
  ): Promise<TurnResponseDto> {
    const { model, provider, modelId } = this.chat.chatModel(agent.model);
    const window = agent.model.contextWindow ?? this.config.AGENT_CONTEXT_WINDOW;
    const replyTokens = agent.model.maxTokens ?? this.config.AGENT_MAX_TOKENS;
    const maxSteps = agent.model.maxSteps ?? this.config.AGENT_MAX_STEPS;
    const tools = await this.toolsOf(agent);
    const toolSet = toSdkTools(tools);
    const limits: TurnLimits = {
      window,
      replyTokens,
      toolTokens: countTokens(
        JSON.stringify(tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }))),
      ),
    };
    const inputTokens = input.messages.reduce((sum, m) => sum + countTokens(m.content) + MESSAGE_OVERHEAD_TOKENS, 0);

    const blocks = await this.blocks.forPrompt(agent.id);
    const memories = fitMemories(
      await this.promptMemories(input, scope),
      (kept) => countTokens(renderSystemPrompt(agent.system, blocks, kept, 1)),
      room(limits, inputTokens),
    );
    if (!memories) {
      throw new AgentError(
        AgentErrorCode.ContextTooSmall,
        `the agent's context window (${window} tokens) cannot hold its system prompt, core memory blocks, tools, this input (${inputTokens} tokens) and a reply of ${replyTokens} tokens: raise model.contextWindow or send less`,
      );
    }
    const systemFor = (omitted: number) => renderSystemPrompt(agent.system, blocks, memories, omitted);
    const shown = memories.map((m) => ({ id: m.id, memory: m.content, score: m.score }));
    emit({ type: 'memories', memories: shown });

    const conversation: Conversation = {
      agentId: agent.id,
      userId: scope.userId,
      runId: scope.runId,
      requestId: scope.requestId,
    };
    const stored: Message[] = [];
    const store = async (drafts: MessageDraft[]): Promise<void> => {
      const messages = await this.messages.record(conversation, drafts);
      stored.push(...messages);
      for (const m of messages) emit({ type: 'message', message: MessageResponseDto.from(m) });
    };
    await store(input.messages.map((m) => ({ role: m.role, content: m.content })));
    const pinned = new Set(stored.map((m) => m.id));

    const usage = { promptTokens: 0, completionTokens: 0, steps: 0 };
    let finalText = '';
    for (let step = 1; step <= maxSteps; step++) {
      const sizes = await this.messages.newestSizes(agent.id, scope.userId);
      const chosen = chooseHistory(sizes, limits, (omitted) => countTokens(systemFor(omitted)), pinned);
      if (!chosen)
        throw new AgentError(
          AgentErrorCode.ContextTooSmall,
          `this input does not fit the agent's context window (${window} tokens)`,
        );
      const history = await this.messages.load(chosen.ids);
      const result = streamText({
        model,
        system: systemFor(chosen.omitted),
        messages: toModelMessages(history),
        tools: toolSet,
        // The last allowed round must answer in words.
        toolChoice: step === maxSteps ? 'none' : 'auto',
        temperature: agent.model.temperature,
        maxOutputTokens: replyTokens,
        maxRetries: 1,
        abortSignal: AbortSignal.timeout(this.config.LLM_TIMEOUT_MS),
        // Failures arrive as the stream's error part and are answered there (the SDK would print them).
        onError: () => undefined,
      });
      const out = await this.chat.observed(
        provider,
        modelId,
        () => readStep(result.fullStream, emit),
        (step) => ({ inputTokens: step.promptTokens, outputTokens: step.completionTokens }),
      );
      usage.promptTokens += out.promptTokens;
      usage.completionTokens += out.completionTokens;
      usage.steps = step;
      const calls = out.calls;
      await store([{ role: 'assistant', content: out.text, ...(calls.length > 0 ? { toolCalls: calls } : {}) }]);
      finalText = out.text;
      if (calls.length === 0) break;
      await runToolCalls(
        out,
        (call) => this.runTool(tools, call, scope),
        emit,
        (result) => store([{ role: 'tool', ...result }]),
        TOOL_RESULT_CHARS,
      );
    }
    emit({ type: 'usage', ...usage });
    await this.queueExtraction(input, scope, finalText);
    return { requestId: scope.requestId, messages: stored.map(MessageResponseDto.from), usage, memories: shown };
  }

  private async toolsOf(agent: Agent): Promise<AgentTool[]> {
    const own = agent.toolIds.length > 0 && this.toolSource ? await this.toolSource.toolsFor(agent.toolIds) : [];
    return [...this.memoryTools.tools(), ...own.filter((t) => !MemoryTools.names.includes(t.name))];
  }

  private async runTool(tools: AgentTool[], call: StoredToolCall, scope: TurnScope): Promise<ToolOutcome> {
    const found = tools.find((t) => t.name === call.name);
    if (!found) return { ok: false, error: `there is no tool named ${call.name}` };
    try {
      return await found.run(call.arguments, scope);
    } catch (error) {
      this.logger.warn(`tool ${call.name} failed in turn ${scope.requestId}: ${String(error)}`);
      return {
        ok: false,
        error: `${call.name} failed: ${error instanceof DomainError ? error.message : 'internal error'}`,
      };
    }
  }

  /** The memories of the turn's scope that best match its input (none when the search fails: the turn goes on). */
  private async promptMemories(input: SendMessagesDto, scope: TurnScope): Promise<PromptMemory[]> {
    if (this.config.AGENT_CONTEXT_MEMORIES === 0) return [];
    const query = input.messages
      .map((m) => m.content)
      .join('\n')
      .slice(0, MEMORY_QUERY_CHARS)
      .trim();
    if (!query) return [];
    try {
      const found = await this.searches.search({
        query,
        limit: this.config.AGENT_CONTEXT_MEMORIES,
        ...this.memoryTools.memoryScope(scope),
      });
      return found.results.map((h) => ({ id: h.id, score: h.score, content: h.memory, createdAt: h.createdAt }));
    } catch (error) {
      this.logger.warn(`memories for turn ${scope.requestId} not found: ${String(error)}`);
      return [];
    }
  }

  /** Queues extraction of the turn's facts into long-term memory (with an LLM for extraction); a failure to queue does not fail the turn. */
  private async queueExtraction(input: SendMessagesDto, scope: TurnScope, reply: string): Promise<void> {
    if (!this.chat.configured) return;
    const messages = [
      ...input.messages
        .filter((m) => m.role === 'user')
        .map((m) => ({ role: 'user' as const, content: m.content.slice(0, 20000) })),
      ...(reply.trim() ? [{ role: 'assistant' as const, content: reply.slice(0, 20000) }] : []),
    ];
    if (!messages.some((m) => m.role === 'user')) return;
    try {
      await this.jobs.enqueue(QueueName.MemoryIngest, {
        messages,
        agentId: scope.agentId,
        ...(scope.userId !== null ? { userId: scope.userId } : {}),
        ...(scope.runId !== null ? { runId: scope.runId } : {}),
        metadata: { source: 'conversation', requestId: scope.requestId },
      });
      this.metrics.memoryAdds.inc({ path: 'async_enqueued' });
    } catch (error) {
      this.logger.warn(`memory extraction of turn ${scope.requestId} not queued: ${String(error)}`);
    }
  }
}

/** The tools as the SDK offers them to the model; execution stays with the loop. */
function toSdkTools(tools: AgentTool[]): ToolSet {
  return Object.fromEntries(
    tools.map((t) => [t.name, tool({ description: t.description, inputSchema: jsonSchema(t.parameters) })]),
  );
}

/** Stored messages as the SDK's prompt messages. */
export function toModelMessages(history: Message[]): ModelMessage[] {
  return history.map((m): ModelMessage => {
    switch (m.role) {
      case 'user':
        return { role: 'user', content: m.content };
      case 'system':
        return { role: 'system', content: m.content };
      case 'assistant':
        if (!m.toolCalls || m.toolCalls.length === 0) return { role: 'assistant', content: m.content };
        return {
          role: 'assistant',
          content: [
            ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
            ...m.toolCalls.map((c) => ({
              type: 'tool-call' as const,
              toolCallId: c.id,
              toolName: c.name,
              input: c.arguments,
            })),
          ],
        };
      case 'tool':
        return {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: m.toolCallId ?? '',
              toolName: m.toolName ?? '',
              output: { type: 'text', value: m.content },
            },
          ],
        };
    }
  });
}
