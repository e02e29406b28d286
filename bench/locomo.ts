/**
 * Retrieval quality on the LoCoMo dev split (../shared/data/locomo-dev, three conversations):
 * every turn is added through the REST API as one memory (infer=false, one user per
 * conversation, one run per session, dia_id in metadata); each question of categories 1-4 is
 * searched in every mode, and evidence recall@5/10/20 and search latency are recorded.
 * `npm run bench:locomo` — builds, starts the server on the embedded default, measures.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { percentile, record, repoRoot, rssMb, runIfMain, startServer } from './support.js';

export const LOCOMO_DIR = join(repoRoot, '..', 'shared', 'data', 'locomo-dev');
/** `default` sends no mode: what a client gets from the server's SEARCH_DEFAULT_MODE (auto). */
const MODES = ['default', 'hybrid', 'text', 'vector'] as const;
const KS = [5, 10, 20] as const;

interface Turn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}
interface Question {
  question: string;
  evidence: string[];
  category: number;
}
export interface Conversation {
  id: string;
  sessions: { name: string; date: string; turns: Turn[] }[];
  questions: Question[];
}

export async function loadConversations(dir = LOCOMO_DIR): Promise<Conversation[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
      const sessions = Object.keys(raw)
        .filter((k) => /^session_\d+$/.test(k) && Array.isArray(raw[k]))
        .sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1]))
        .map((name) => ({
          name,
          date: (raw[`${name}_date_time`] as string | undefined) ?? '',
          turns: raw[name] as Turn[],
        }));
      const questions = (raw.qa as Question[]).filter((q) => q.category >= 1 && q.category <= 4 && q.evidence?.length);
      return { id: file.replace('.json', ''), sessions, questions };
    }),
  );
}

/** The memory text of a turn: who said it, what, and the photo they shared. */
export function turnText(turn: Turn): string {
  return `${turn.speaker}: ${turn.text}${turn.blip_caption ? ` [shares a photo of ${turn.blip_caption}]` : ''}`;
}

/**
 * The benchmarks' HTTP client: undici's connection pool, whose own cost per request is a third
 * of `fetch`'s (0.2–0.3 against 0.8–0.9 ms of CPU, measured here): the load generator shares
 * the two cores with the server it measures.
 */
export class Api {
  private readonly pool: Pool;

  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {
    this.pool = new Pool(baseUrl, { connections: 32 });
  }

  static async register(baseUrl: string): Promise<Api> {
    const res = await fetch(`${baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        organizationName: 'LoCoMo',
        email: `locomo-${Date.now()}-${Math.random()}@example.test`,
        password: 'bench-password',
        name: 'Bench',
      }),
    });
    if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
    return new Api(baseUrl, ((await res.json()) as { accessToken: string }).accessToken);
  }

  /** The same account through an API key of its own (an access token lives 15 minutes). */
  async withApiKey(): Promise<Api> {
    const created = await this.post<{ key: string }>('/api/v1/api-keys', { name: 'bench' });
    return new Api(this.baseUrl, created.key);
  }

  private async call<T>(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<T> {
    const res = await this.pool.request({
      path,
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return (res.statusCode === 204 || text === '' ? undefined : JSON.parse(text)) as T;
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call('POST', path, body);
  }

  get<T>(path: string): Promise<T> {
    return this.call('GET', path);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call('PATCH', path, body);
  }

  delete(path: string): Promise<void> {
    return this.call('DELETE', path);
  }
}

/**
 * Adds every turn, one request per turn, in conversation order; with each session as a runId,
 * or (withRunId false) with the user id only, as Mem0-style clients send them, so that only the
 * server's session gap makes consecutive turns neighbours.
 */
export async function ingest(
  api: Api,
  conversations: Conversation[],
  userPrefix = 'locomo',
  withRunId = true,
): Promise<number> {
  let count = 0;
  for (const c of conversations) {
    for (const s of c.sessions) {
      for (const turn of s.turns) {
        await api.post('/api/v1/memories', {
          content: turnText(turn),
          userId: `${userPrefix}-${c.id}`,
          ...(withRunId ? { runId: s.name } : {}),
          infer: false,
          metadata: { dia_id: turn.dia_id, speaker: turn.speaker, session: s.name, date: s.date },
        });
        count += 1;
      }
    }
  }
  return count;
}

export interface ModeResult {
  recall: Record<`@${(typeof KS)[number]}`, number>;
  p50Ms: number;
  p95Ms: number;
  questions: number;
}

/** Searches every question in one mode and measures evidence recall at each k. */
export async function evaluate(
  api: Api,
  conversations: Conversation[],
  mode: (typeof MODES)[number],
  userPrefix = 'locomo',
): Promise<ModeResult> {
  const sums = { 5: 0, 10: 0, 20: 0 };
  const latencies: number[] = [];
  let questions = 0;
  for (const c of conversations) {
    for (const q of c.questions) {
      const started = performance.now();
      const res = await api.post<{ results: { metadata: { dia_id?: string } }[] }>('/api/v1/memories/search', {
        query: q.question,
        userId: `${userPrefix}-${c.id}`,
        limit: 20,
        ...(mode === 'default' ? {} : { mode }),
      });
      latencies.push(performance.now() - started);
      const found = res.results.map((r) => r.metadata.dia_id);
      for (const k of KS) sums[k] += q.evidence.filter((e) => found.slice(0, k).includes(e)).length / q.evidence.length;
      questions += 1;
    }
  }
  latencies.sort((a, b) => a - b);
  const r = (n: number) => Math.round((n / questions) * 1000) / 1000;
  return {
    recall: { '@5': r(sums[5]), '@10': r(sums[10]), '@20': r(sums[20]) },
    p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    p95Ms: Math.round(percentile(latencies, 95) * 100) / 100,
    questions,
  };
}

async function main(): Promise<void> {
  const conversations = await loadConversations();
  // Vectors on, so that the vector and hybrid modes can be measured with the lexical embedder.
  const server = await startServer({ VECTOR_SEARCH: 'on' });
  try {
    const api = await Api.register(server.url);
    const started = performance.now();
    const turns = await ingest(api, conversations);
    const ingestSeconds = (performance.now() - started) / 1000;
    const results: Record<string, ModeResult> = {};
    for (const mode of MODES) results[mode] = await evaluate(api, conversations, mode);
    // The same turns again without runId (another user per conversation): the session gap alone links them.
    await ingest(api, conversations, 'norun', false);
    const noRunId = await evaluate(api, conversations, 'default', 'norun');
    const ks = ['@5', '@10', '@20'] as const;
    const defaultIsBest = ks.every((k) => MODES.every((m) => results.default.recall[k] >= results[m].recall[k]));
    const figures = MODES.flatMap((mode) => [
      { name: `${mode}: recall@5`, value: results[mode].recall['@5'], unit: '' },
      {
        name: `${mode}: recall@10`,
        value: results[mode].recall['@10'],
        unit: '',
        // DESIGN.md: plain BM25 over the turns reaches 0.58-0.61 here; the default must beat it.
        ...(mode === 'default' ? { target: 0.61, higherIsBetter: true } : {}),
      },
      { name: `${mode}: recall@20`, value: results[mode].recall['@20'], unit: '' },
      { name: `${mode}: search p50`, value: results[mode].p50Ms, unit: 'ms' },
      { name: `${mode}: search p95`, value: results[mode].p95Ms, unit: 'ms' },
    ]);
    figures.push(
      ...(['@5', '@10', '@20'] as const).map((k) => ({
        name: `default, turns added without runId: recall${k}`,
        value: noRunId.recall[k],
        unit: '',
        target: results.default.recall[k],
        higherIsBetter: true,
      })),
    );
    figures.push({ name: 'ingest one by one over HTTP', value: Math.round(turns / ingestSeconds), unit: 'adds/s' });
    figures.push({ name: 'server RSS', value: await rssMb(server.pid), unit: 'MB' });
    process.stdout.write(`default mode is the best of the modes at every k: ${defaultIsBest}\n`);
    await record('locomo', figures, { turns, questions: results.default.questions, defaultIsBest, results, noRunId });
  } finally {
    await server.stop();
  }
}

runIfMain(import.meta.url, main);
