import type { JSONSchema7 } from 'ai';

/**
 * Every prompt of the memory pipeline, in one place and versioned: a change of wording is a
 * change of behaviour, so bump PROMPT_VERSION with it (it is logged with each extraction).
 */
export const PROMPT_VERSION = 1;

export const FACT_EXTRACTION_SYSTEM = `You extract durable facts worth remembering about the user (and the agent) from a conversation.
Return JSON {"facts": [...]} where each fact is one short, self-contained sentence in the third person
("Alice lives in Berlin", "Prefers window seats"). Keep preferences, biographical details, plans,
relationships, health, work, opinions and instructions. Skip greetings, small talk and anything
only true for this moment. Keep the language of the conversation. Return {"facts": []} if nothing is worth keeping.`;

export function factExtractionPrompt(transcript: string, today: string): string {
  return `Today is ${today}.\n\nConversation:\n${transcript}`;
}

export const FACT_SCHEMA: JSONSchema7 = {
  type: 'object',
  properties: { facts: { type: 'array', items: { type: 'string' } } },
  required: ['facts'],
  additionalProperties: false,
};

export const RECONCILE_SYSTEM = `You keep a memory store consistent. You get the existing memories (each with a short id)
and newly learned facts. For each new fact decide one event:
- ADD: it is new information. Give "text".
- UPDATE: it refines or changes an existing memory about the same thing. Give that memory's "id" and the merged "text".
- DELETE: it contradicts an existing memory that is no longer true and the fact itself need not be stored. Give the "id".
- NONE: it is already known. Give the existing "id".
Refer to existing memories only by the ids given. Return JSON {"memory": [{"event", "id"?, "text"?}, ...]}.`;

export function reconcilePrompt(existing: { id: string; text: string }[], facts: string[]): string {
  const known = existing.length ? existing.map((e) => `- id ${e.id}: ${e.text}`).join('\n') : '(none)';
  return `Existing memories:\n${known}\n\nNew facts:\n${facts.map((f) => `- ${f}`).join('\n')}`;
}

export const RECONCILE_SCHEMA: JSONSchema7 = {
  type: 'object',
  properties: {
    memory: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          event: { type: 'string', enum: ['ADD', 'UPDATE', 'DELETE', 'NONE'] },
          id: { type: 'string' },
          text: { type: 'string' },
        },
        required: ['event'],
      },
    },
  },
  required: ['memory'],
};

export const RERANK_SYSTEM = `You order search results by how well they answer a query. You get the query and
candidate memories with short ids. Return JSON {"order": [ids, most relevant first]}, using only the ids given.`;

export function rerankPrompt(query: string, candidates: { id: string; text: string }[]): string {
  return `Query: ${query}\n\nCandidates:\n${candidates.map((c) => `- id ${c.id}: ${c.text}`).join('\n')}`;
}

export const RERANK_SCHEMA: JSONSchema7 = {
  type: 'object',
  properties: { order: { type: 'array', items: { type: 'string' } } },
  required: ['order'],
};
