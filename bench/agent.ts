/**
 * Agent loop benchmark: what the server adds to a turn beyond the LLM's own time. The LLM is
 * the fake OpenAI-compatible server (in this process) answering after a fixed latency; the
 * AgentMem server runs as its own process on the embedded default. Figures: a turn's overhead
 * (wall time minus the time the fake spent on its calls), the part before the first LLM call
 * (context building), a streamed turn's first byte, and how late the first token reaches the
 * client after the fake sent it. The conversation grows as it runs, so context fitting is in
 * the measure. `npm run bench:agent` builds, runs and records bench/results/agent.json.
 */
import { performance } from 'node:perf_hooks';
import { FakeLlm } from '../test/support/fake-llm.js';
import { Api } from './locomo.js';
import { postSse } from '../test/support/post-sse.js';
import { percentile, record, rssMb, runIfMain, startServer } from './support.js';
import type { Figure } from './support.js';

export interface AgentBenchOptions {
  turns: number;
  streamedTurns: number;
  /** The fake LLM's latency before it answers, in ms. */
  llmLatencyMs: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const REPLY = 'Thanks, I will keep that in mind and remember it for next time.';

function stats(label: string, name: string, values: number[], unit = 'ms'): Figure[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [
    { name: `${label} ${name}: p50`, value: round1(percentile(sorted, 50)), unit, higherIsBetter: false },
    { name: `${label} ${name}: p95`, value: round1(percentile(sorted, 95)), unit, higherIsBetter: false },
  ];
}

/** Runs the turns against a server whose LLM is `llm`; the caller started both. */
export async function runAgentBench(
  api: Api,
  llm: FakeLlm,
  o: AgentBenchOptions,
  label: string,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  llm.latencyMs = o.llmLatencyMs;
  llm.script = (request) =>
    request.response_format
      ? request.response_format.json_schema?.name === 'facts'
        ? '{"facts": []}'
        : '{"memory": []}'
      : REPLY;
  const agent = await api.post<{ id: string }>('/api/v1/agents', {
    name: `bench-${label}`,
    system: 'You are a benchmark agent.',
  });
  // Timings are recorded as calls end, so a turn's calls are picked by what they asked, not by position.
  const turnCallsSince = (t0: number) =>
    llm.timings.filter((c) => c.receivedAt >= t0 && c.request !== null && !c.request.response_format);

  // 1. Plain turns, one after another, on one growing conversation.
  const overhead: number[] = [];
  const beforeLlm: number[] = [];
  const wall: number[] = [];
  const started = performance.now();
  for (let i = 0; i < o.turns; i++) {
    const t0 = performance.now();
    await api.post(`/api/v1/agents/${agent.id}/messages`, {
      messages: [{ content: `Turn ${i}: I had a ${i % 2 ? 'coffee' : 'tea'} with friend number ${i}.` }],
      userId: 'bench-user',
    });
    const t1 = performance.now();
    const calls = turnCallsSince(t0);
    const llmTime = calls.reduce((sum, c) => sum + (c.endedAt - c.receivedAt), 0);
    wall.push(t1 - t0);
    overhead.push(t1 - t0 - llmTime);
    if (calls[0]) beforeLlm.push(calls[0].receivedAt - t0);
  }
  const turnsPerSecond = o.turns / ((performance.now() - started) / 1000);

  // 2. Streamed turns: first byte of the answer, and the first token's delay after the fake sent it.
  const firstByte: number[] = [];
  const tokenDelay: number[] = [];
  for (let i = 0; i < o.streamedTurns; i++) {
    const t0 = performance.now();
    const res = await postSse(`${api.baseUrl}/api/v1/agents/${agent.id}/messages`, api.token, {
      messages: [{ content: `Streamed ${i}: what did I drink?` }],
      userId: 'bench-user',
      stream: true,
    });
    if (res.events.at(-1)?.event !== 'done')
      throw new Error(`streamed turn ${i} ended with ${JSON.stringify(res.events.at(-1))}`);
    firstByte.push(res.firstByteMs ?? Number.NaN);
    const firstDelta = res.events.find((e) => e.event === 'assistant_delta');
    const call = turnCallsSince(t0).find((c) => c.firstTextAt !== null);
    if (firstDelta && call?.firstTextAt) tokenDelay.push(t0 + firstDelta.at - call.firstTextAt);
  }

  const figures: Figure[] = [
    ...stats(label, 'turn overhead beyond the LLM', overhead),
    ...stats(label, 'before the first LLM call', beforeLlm),
    ...stats(label, 'turn wall time', wall),
    { name: `${label} sequential turns/s`, value: round1(turnsPerSecond), unit: 'turns/s', higherIsBetter: true },
    ...stats(label, 'streamed: first byte', firstByte),
    ...stats(label, 'streamed: token delay after the LLM', tokenDelay),
  ];
  return {
    figures,
    details: {
      turns: o.turns,
      streamedTurns: o.streamedTurns,
      llmLatencyMs: o.llmLatencyMs,
      messagesInConversation: 2 * o.turns + 2 * o.streamedTurns,
    },
  };
}

runIfMain(import.meta.url, async () => {
  const options: AgentBenchOptions = {
    turns: Number(process.env.BENCH_TURNS ?? 300),
    streamedTurns: Number(process.env.BENCH_STREAMED_TURNS ?? 100),
    llmLatencyMs: Number(process.env.BENCH_LLM_LATENCY_MS ?? 50),
  };
  const llm = await new FakeLlm().start();
  const server = await startServer({
    ...llm.env,
  });
  try {
    const api = await Api.register(server.url);
    const { figures, details } = await runAgentBench(api, llm, options, 'embedded');
    figures.push({
      name: 'embedded server RSS after the run',
      value: await rssMb(server.pid),
      unit: 'MB',
      higherIsBetter: false,
    });
    await record('agent', figures, { options, details });
  } finally {
    await server.stop();
    await llm.stop();
  }
});
