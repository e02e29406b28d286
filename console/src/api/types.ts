// Names for the schemas of the OpenAPI document the console uses (types generated into
// schema.d.ts by `npm run console:types`; a test fails when that file is stale).
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['MeResponseDto']['role'];
export type Me = Schemas['MeResponseDto'];
export type AuthTokens = Schemas['AuthTokensResponseDto'];
export type Memory = Schemas['MemoryResponseDto'];
export type MemoryPage = Schemas['MemoryPageResponseDto'];
export type SearchRequest = Schemas['SearchMemoriesDto'];
export type SearchResponse = Schemas['SearchResponseDto'];
export type SearchHit = Schemas['SearchHitDto'];
export type HistoryEntry = Schemas['HistoryEntryDto'];
export type Agent = Schemas['AgentResponseDto'];
export type AgentModel = Schemas['AgentModelDto'];
export type Block = Schemas['BlockResponseDto'];
export type Message = Schemas['MessageResponseDto'];
export type TurnResponse = Schemas['TurnResponseDto'];
export type TurnMemory = Schemas['TurnMemoryDto'];
export type Tool = Schemas['ToolResponseDto'];
export type ToolRun = Schemas['ToolRunResponseDto'];
export type Job = Schemas['JobResponseDto'];
export type ApiKey = Schemas['ApiKeyResponseDto'];
export type CreatedApiKey = Schemas['CreatedApiKeyResponseDto'];
export type User = Schemas['UserResponseDto'];
export type ErrorBody = Schemas['ErrorResponseDto'];
