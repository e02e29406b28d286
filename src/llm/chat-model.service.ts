import { Injectable, Logger } from '@nestjs/common';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, jsonSchema } from 'ai';
import type { LanguageModel } from 'ai';
import type { JSONSchema7 } from 'ai';
import { AppConfig } from '../config/app-config.js';
import type { LlmProvider } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LlmError, LlmErrorCode } from './llm.errors.js';

const NOT_CONFIGURED = 'No LLM is configured: set LLM_PROVIDER, LLM_MODEL (and LLM_BASE_URL / LLM_API_KEY)';

const PROVIDER_KEYS: Record<LlmProvider, string> = {
  none: 'LLM_PROVIDER',
  openai: 'OPENAI_API_KEY',
  'openai-compatible': 'LLM_PROVIDER=openai-compatible with LLM_BASE_URL',
  anthropic: 'ANTHROPIC_API_KEY',
  google: 'GOOGLE_API_KEY',
};

/** One AI SDK model. OpenAI-compatible servers report usage on streams only when asked. */
function buildModel(
  provider: Exclude<LlmProvider, 'none'>,
  model: string,
  auth: { apiKey?: string; baseURL?: string },
): LanguageModel {
  switch (provider) {
    case 'openai':
      return createOpenAI(auth).chat(model);
    case 'openai-compatible':
      return createOpenAICompatible({
        name: 'llm',
        apiKey: auth.apiKey,
        baseURL: auth.baseURL ?? '',
        supportsStructuredOutputs: true,
        includeUsage: true,
      }).chatModel(model);
    case 'anthropic':
      return createAnthropic(auth).languageModel(model);
    case 'google':
      return createGoogleGenerativeAI(auth).languageModel(model);
  }
}

/** Thrown by a `validate` callback when the model's JSON is well-formed but wrong. */
export class InvalidModelOutput extends Error {}

/**
 * The configured chat model (AI SDK: OpenAI, any OpenAI-compatible server, Anthropic, Google)
 * and structured output on top of it. Without LLM_PROVIDER the server runs without one.
 */
@Injectable()
export class ChatModelService {
  private readonly logger = new Logger('LLM');
  readonly model: LanguageModel | null;
  private readonly models = new Map<string, LanguageModel>();

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.model = ChatModelService.create(config);
    this.logger.log(
      this.model
        ? `chat model: ${config.LLM_PROVIDER}:${config.LLM_MODEL}`
        : 'no chat model configured (LLM_PROVIDER=none): extraction stores text as given',
    );
  }

  static create(config: AppConfig): LanguageModel | null {
    if (config.LLM_PROVIDER === 'none') return null;
    return buildModel(config.LLM_PROVIDER, config.LLM_MODEL ?? '', {
      apiKey: config.LLM_API_KEY,
      baseURL: config.LLM_BASE_URL,
    });
  }

  /** The server's own provider (LLM_PROVIDER), or null. */
  get defaultProvider(): LlmProvider | null {
    return this.config.LLM_PROVIDER === 'none' ? null : this.config.LLM_PROVIDER;
  }

  /** Providers an agent may name: the configured one, and those with their own API key set. */
  get providers(): LlmProvider[] {
    const c = this.config;
    const extra: [LlmProvider, string | undefined][] = [
      ['openai', c.OPENAI_API_KEY],
      ['anthropic', c.ANTHROPIC_API_KEY],
      ['google', c.GOOGLE_API_KEY],
    ];
    const list = new Set<LlmProvider>(c.LLM_PROVIDER === 'none' ? [] : [c.LLM_PROVIDER]);
    for (const [provider, key] of extra) if (key) list.add(provider);
    return [...list];
  }

  /**
   * The chat model of an agent: its own provider and model where it names them, the server's
   * otherwise. A provider the server has no credentials for is a 503 naming the variable to set.
   */
  chatModel(choice: { provider?: LlmProvider | null; model?: string | null } = {}): {
    model: LanguageModel;
    provider: LlmProvider;
    modelId: string;
  } {
    const provider =
      choice.provider ?? (this.config.LLM_PROVIDER === 'none' ? this.providers[0] : this.config.LLM_PROVIDER);
    if (!provider || provider === 'none') throw new LlmError(LlmErrorCode.NotConfigured, NOT_CONFIGURED);
    const sameAsServer = provider === this.config.LLM_PROVIDER;
    const modelId = choice.model ?? (sameAsServer ? this.config.LLM_MODEL : undefined);
    if (!modelId)
      throw new LlmError(
        LlmErrorCode.NotConfigured,
        `The agent's provider ${provider} needs a model: set model.model on the agent`,
      );
    if (!this.providers.includes(provider)) {
      throw new LlmError(
        LlmErrorCode.NotConfigured,
        `Provider ${provider} is not configured on this server: set ${PROVIDER_KEYS[provider]} (or LLM_PROVIDER=${provider})`,
      );
    }
    const key = `${provider}:${modelId}`;
    let model = this.models.get(key);
    if (!model) {
      model = sameAsServer
        ? buildModel(provider, modelId, { apiKey: this.config.LLM_API_KEY, baseURL: this.config.LLM_BASE_URL })
        : buildModel(provider, modelId, { apiKey: this.extraKey(provider) });
      this.models.set(key, model);
    }
    return { model, provider, modelId };
  }

  private extraKey(provider: LlmProvider): string | undefined {
    return provider === 'openai'
      ? this.config.OPENAI_API_KEY
      : provider === 'anthropic'
        ? this.config.ANTHROPIC_API_KEY
        : provider === 'google'
          ? this.config.GOOGLE_API_KEY
          : undefined;
  }

  /**
   * Runs one call of a chat model (a generation, or the reading of a whole stream) in a span
   * `llm.chat`, recording its latency, its outcome and the tokens `usageOf` reads from its
   * result, by provider and model (agentmem_llm_*).
   */
  async observed<T>(
    provider: string,
    model: string,
    call: () => Promise<T>,
    usageOf: (result: T) => { inputTokens?: number; outputTokens?: number },
  ): Promise<T> {
    const { metrics } = this;
    return metrics.timed('llm.chat', metrics.llmDuration, { provider, model }, async () => {
      let result: T;
      try {
        result = await call();
      } catch (error) {
        metrics.llmRequests.inc({ provider, model, outcome: 'error' });
        throw error;
      }
      metrics.llmRequests.inc({ provider, model, outcome: 'ok' });
      const usage = usageOf(result);
      if (usage.inputTokens) metrics.llmTokens.inc({ provider, model, kind: 'input' }, usage.inputTokens);
      if (usage.outputTokens) metrics.llmTokens.inc({ provider, model, kind: 'output' }, usage.outputTokens);
      return result;
    });
  }

  get configured(): boolean {
    return this.model !== null;
  }

  /**
   * Asks for JSON matching `schema`, then checks it with `validate` (which may throw
   * InvalidModelOutput). Bad output is retried once; a second failure is a 502 and the caller
   * writes nothing.
   */
  async generateStructured<T>(request: {
    name: string;
    system: string;
    prompt: string;
    schema: JSONSchema7;
    validate: (value: unknown) => T;
  }): Promise<T> {
    if (!this.model) {
      throw new LlmError(LlmErrorCode.NotConfigured, NOT_CONFIGURED);
    }
    let lastProblem = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      let value: unknown;
      try {
        const model = this.model;
        const result = await this.observed(
          this.config.LLM_PROVIDER,
          this.config.LLM_MODEL ?? '',
          () =>
            generateObject({
              model,
              schema: jsonSchema(request.schema),
              schemaName: request.name,
              system: request.system,
              prompt: request.prompt,
              temperature: 0,
              maxRetries: 1,
              abortSignal: AbortSignal.timeout(this.config.LLM_TIMEOUT_MS),
            }),
          (r) => r.usage,
        );
        value = result.object;
      } catch (error) {
        if (isOutputProblem(error)) {
          lastProblem = (error as Error).message;
          this.logger.warn(`${request.name}: unusable model output (attempt ${attempt}): ${lastProblem}`);
          continue;
        }
        throw new LlmError(LlmErrorCode.Failed, `The LLM call failed: ${(error as Error).message}`);
      }
      try {
        return request.validate(value);
      } catch (error) {
        if (!(error instanceof InvalidModelOutput)) throw error;
        lastProblem = error.message;
        this.logger.warn(`${request.name}: invalid model output (attempt ${attempt}): ${lastProblem}`);
      }
    }
    throw new LlmError(
      LlmErrorCode.InvalidOutput,
      `The LLM answered ${request.name} with unusable output twice (${lastProblem}); nothing was written`,
    );
  }
}

/** Parse and schema failures of the model's reply (as opposed to network or auth errors). */
function isOutputProblem(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return (
    ['AI_NoObjectGeneratedError', 'AI_JSONParseError', 'AI_TypeValidationError'].includes(name) ||
    /No object generated|JSON/i.test(String((error as Error)?.message))
  );
}
