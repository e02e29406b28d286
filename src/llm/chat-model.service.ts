import { Injectable, Logger } from '@nestjs/common';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, jsonSchema } from 'ai';
import type { LanguageModel } from 'ai';
import type { JSONSchema7 } from 'ai';
import { AppConfig } from '../config/app-config.js';
import { LlmError, LlmErrorCode } from './llm.errors.js';

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

  constructor(private readonly config: AppConfig) {
    this.model = ChatModelService.create(config);
    this.logger.log(this.model ? `chat model: ${config.LLM_PROVIDER}:${config.LLM_MODEL}` : 'no chat model configured (LLM_PROVIDER=none): extraction stores text as given');
  }

  static create(config: AppConfig): LanguageModel | null {
    const { LLM_API_KEY: apiKey, LLM_BASE_URL: baseURL, LLM_MODEL: model = '' } = config;
    switch (config.LLM_PROVIDER) {
      case 'none':
        return null;
      case 'openai':
        return createOpenAI({ apiKey, baseURL }).chat(model);
      case 'openai-compatible':
        return createOpenAICompatible({ name: 'llm', apiKey, baseURL: baseURL ?? '', supportsStructuredOutputs: true }).chatModel(model);
      case 'anthropic':
        return createAnthropic({ apiKey, baseURL }).languageModel(model);
      case 'google':
        return createGoogleGenerativeAI({ apiKey, baseURL }).languageModel(model);
    }
  }

  get configured(): boolean {
    return this.model !== null;
  }

  /**
   * Asks for JSON matching `schema`, then checks it with `validate` (which may throw
   * InvalidModelOutput). Bad output is retried once; a second failure is a 502 and the caller
   * writes nothing.
   */
  async generateStructured<T>(request: { name: string; system: string; prompt: string; schema: JSONSchema7; validate: (value: unknown) => T }): Promise<T> {
    if (!this.model) {
      throw new LlmError(LlmErrorCode.NotConfigured, 'No LLM is configured: set LLM_PROVIDER, LLM_MODEL (and LLM_BASE_URL / LLM_API_KEY)');
    }
    let lastProblem = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      let value: unknown;
      try {
        const result = await generateObject({
          model: this.model,
          schema: jsonSchema(request.schema),
          schemaName: request.name,
          system: request.system,
          prompt: request.prompt,
          temperature: 0,
          maxRetries: 1,
          abortSignal: AbortSignal.timeout(this.config.LLM_TIMEOUT_MS),
        });
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
    throw new LlmError(LlmErrorCode.InvalidOutput, `The LLM answered ${request.name} with unusable output twice (${lastProblem}); nothing was written`);
  }
}

/** Parse and schema failures of the model's reply (as opposed to network or auth errors). */
function isOutputProblem(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return ['AI_NoObjectGeneratedError', 'AI_JSONParseError', 'AI_TypeValidationError'].includes(name) || /No object generated|JSON/i.test(String((error as Error)?.message));
}
