import type { JSONSchema7 } from 'ai';

/** Who a tool runs for: the turn's agent, end user and run. */
export interface TurnScope {
  agentId: string;
  userId: string | null;
  runId: string | null;
  requestId: string;
}

/** What a tool call gave back to the model: a JSON-able result, or an error it can read. */
export type ToolOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/** A tool the model may call during a turn. */
export interface AgentTool {
  name: string;
  description: string;
  parameters: JSONSchema7;
  run(args: unknown, scope: TurnScope): Promise<ToolOutcome>;
}

/**
 * Where an agent's own tools (its `toolIds`) come from: the tools module provides it with
 * sandboxed execution. Ids that no longer resolve are left out.
 */
export abstract class AgentToolSource {
  abstract toolsFor(toolIds: string[]): Promise<AgentTool[]>;
}
