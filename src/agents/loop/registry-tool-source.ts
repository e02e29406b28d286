import { Injectable } from '@nestjs/common';
import { ToolsService } from '../../tools/tools.service.js';
import { AgentTool, AgentToolSource, ToolOutcome, TurnScope } from './agent-tools.js';

/**
 * An agent's registry tools for the agent loop: offered to the model with their schemas; a call
 * is checked against the schema (a mismatch goes back to the model as an error) and runs in the
 * sandbox, recorded with the agent as its caller.
 */
@Injectable()
export class RegistryToolSource extends AgentToolSource {
  constructor(private readonly tools: ToolsService) {
    super();
  }

  async toolsFor(toolIds: string[]): Promise<AgentTool[]> {
    const found = await this.tools.findMany(toolIds);
    return found.map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      run: async (args: unknown, scope: TurnScope): Promise<ToolOutcome> => {
        const run = await this.tools.runForAgent(tool, args, scope.agentId);
        if (run.status === 'ok') return { ok: true, result: run.result ?? null };
        if (run.status === 'invalid') return { ok: false, error: `invalid arguments: ${run.error}` };
        return {
          ok: false,
          error: `${run.status === 'timeout' ? 'timed out' : 'failed'}: ${run.error ?? 'no message'}`,
        };
      },
    }));
  }
}
