// @ts-check
// The isolate side of the sandbox host: what runs inside each V8 isolate (the prelude with
// console, timers and fetch; the runner that calls the tool), how tool source is compiled, and
// the capped log of a run. Imported by sandbox-host.mjs only.
import ivm from 'isolated-vm';

/** @typedef {import('./protocol.js').SourceFormat} SourceFormat */
/** @typedef {import('./sandbox-network.mjs').FetchInit} FetchInit */
/**
 * What a run changes in a prepared isolate, set when the run starts.
 * @typedef {{ logs: Logs | null, timers: Set<NodeJS.Timeout>, maxWaitMs: number, fetch: ((input: unknown, init: FetchInit) => Promise<unknown>) | null }} RunState
 */
/** An isolate ready for a tool. @typedef {{ isolate: ivm.Isolate, context: ivm.Context, runner: ivm.Reference<(argsJson: string, limit: number) => Promise<string>>, state: RunState }} Prepared */

const LOG_LINE_CHARS = 8192;
// The API cuts errors to 4,000 characters after replacing secrets in them; cutting first could
// leave half a secret that no longer matches.
export const ERROR_CHARS = 12000;

// Runs inside the isolate before the tool: console, timers bound to this call, optional fetch.
// Host functions arrive as globals and are removed from the global object at once.
const PRELUDE = `(() => {
  const log = globalThis.__log, sleep = globalThis.__sleep, hostFetch = globalThis.__fetch;
  delete globalThis.__log; delete globalThis.__sleep; delete globalThis.__fetch;
  delete globalThis.WebAssembly;
  const text = (v) => {
    if (typeof v === 'string') return v;
    try { const j = JSON.stringify(v); return j === undefined ? String(v) : j; } catch { try { return String(v); } catch { return '[unprintable]'; } }
  };
  // Counted here too, so that a loop of console.log stops crossing into the host once over the cap.
  let room = globalThis.__logLimit;
  delete globalThis.__logLimit;
  const line = (level) => (...values) => {
    if (room <= 0) return;
    const s = values.map(text).join(' ').slice(0, ${LOG_LINE_CHARS});
    room -= s.length + 1;
    log(level, room < 0 ? null : s);
  };
  globalThis.console = { log: line('log'), info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug') };
  let nextTimer = 1;
  const live = new Set();
  globalThis.setTimeout = (fn, ms = 0, ...args) => {
    const id = nextTimer++;
    live.add(id);
    sleep.apply(undefined, [Math.max(0, Number(ms) || 0)], { result: { promise: true } }).then(() => { if (live.delete(id) && typeof fn === 'function') fn(...args); });
    return id;
  };
  globalThis.clearTimeout = (id) => { live.delete(id); };
  if (hostFetch) {
    globalThis.fetch = async (input, init = {}) => {
      const headers = {};
      if (init.headers) for (const [k, v] of Object.entries(init.headers)) headers[String(k)] = String(v);
      const answer = await hostFetch.apply(undefined, [String(input), { method: String(init.method ?? 'GET'), headers, body: init.body == null ? null : String(init.body) }], { arguments: { copy: true }, result: { promise: true, copy: true } });
      if (answer.error) throw new (answer.type === 'TypeError' ? TypeError : Error)(answer.error);
      const r = answer.response;
      const h = new Map(Object.entries(r.headers));
      return {
        ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url, redirected: false,
        headers: { get: (n) => h.get(String(n).toLowerCase()) ?? null, has: (n) => h.has(String(n).toLowerCase()), entries: () => h.entries() },
        text: async () => r.body,
        json: async () => JSON.parse(r.body),
      };
    };
  }
})();`;

// Calls the tool with its arguments and turns whatever comes back, or is thrown, into a JSON
// string or an error message, inside the isolate, so that nothing larger than the result limit
// and nothing but plain strings ever crosses into this process.
const RUNNER = `(() => {
  // Captured before any tool code runs: a tool that replaces JSON or String.prototype cannot
  // change how its result and errors are read.
  const stringify = JSON.stringify, parse = JSON.parse, Str = String, ErrorClass = Error;
  const slice = Function.prototype.call.bind(String.prototype.slice);
  const cut = (s) => slice(s, 0, ${ERROR_CHARS});
  const isError = (e) => { try { return e instanceof ErrorClass; } catch { return false; } };
  const describe = (e) => {
    try {
      if (isError(e)) return cut(Str(e.name) + ': ' + Str(e.message));
      if (typeof e === 'string') return cut('thrown: ' + e);
      const j = stringify(e);
      return cut('thrown: ' + (j === undefined ? Str(e) : j));
    } catch { return 'thrown: a value that cannot be printed'; }
  };
  // It answers a string, 'j' + JSON or 'e' + message: a primitive, so that no \`then\` a tool
  // puts on Object.prototype is consulted when the call's promise resolves.
  return async function (argsJson, resultLimit) {
    try {
      const value = await globalThis.__tool(parse(argsJson));
      let json;
      try { json = stringify(value === undefined ? null : value); } catch (e) { return 'e' + cut('the result is not JSON: ' + describe(e)); }
      if (typeof json !== 'string') json = 'null';
      if (json.length > resultLimit) return 'ethe result is ' + json.length + ' characters of JSON; the limit is ' + resultLimit + ' bytes';
      return 'j' + json;
    } catch (e) {
      return 'e' + describe(e);
    }
  };
})()`;

// Picks the function a module exports: its default export, or its only exported function.
const PICK_EXPORT = `(() => {
  const ns = globalThis.__module;
  delete globalThis.__module;
  if (typeof ns.default === 'function') { globalThis.__tool = ns.default; return; }
  const fns = Object.keys(ns).filter((k) => typeof ns[k] === 'function');
  if (fns.length !== 1) throw new TypeError('the module must export one function (a default export, or exactly one named function); it exports ' + (fns.length === 0 ? 'none' : fns.join(', ')));
  globalThis.__tool = ns[fns[0]];
})();`;

/** @param {string} source */
function wrapBody(source) {
  return `globalThis.__tool = (async function tool(args) {\n${source}\n});`;
}

/** The message of anything thrown, cut to ERROR_CHARS. @param {unknown} e */
export function message(e) {
  return String(e && typeof e === 'object' && 'message' in e ? e.message : e).slice(0, ERROR_CHARS);
}

/** Logs of one run, capped in bytes; what is over the cap is counted, not kept. */
export class Logs {
  /** @param {number} limitBytes */
  constructor(limitBytes) {
    this.limit = limitBytes;
    this.bytes = 0;
    /** @type {string[]} */
    this.lines = [];
    this.dropped = 0;
  }
  /**
   * @param {string} level
   * @param {string | null} text null: a line the isolate dropped (over its own cap)
   */
  add(level, text) {
    if (text === null) return void (this.dropped += 1);
    const line = `${level === 'log' ? '' : `[${level}] `}${text}`;
    const size = Buffer.byteLength(line) + 1;
    if (this.bytes + size > this.limit) return void (this.dropped += 1);
    this.bytes += size;
    this.lines.push(line);
  }
  list() {
    return this.dropped
      ? [...this.lines, `[more lines dropped: console output is capped at ${this.limit} bytes]`]
      : this.lines;
  }
}

/** The source compiled in its form: a module (refused if it imports anything), or a function body's script. */
/**
 * @param {ivm.Isolate} isolate
 * @param {string} source
 * @param {SourceFormat} format
 * @returns {Promise<ivm.Script | ivm.Module>}
 */
export async function compileSource(isolate, source, format) {
  if (format !== 'module') return isolate.compileScript(wrapBody(source), { filename: 'tool.js', lineOffset: -1 });
  const mod = await isolate.compileModule(source, { filename: 'tool.mjs' });
  if (mod.dependencySpecifiers.length > 0)
    throw new Error(`imports are not available in tools (${mod.dependencySpecifiers.join(', ')})`);
  return mod;
}

/**
 * Compiles the tool and leaves its function as `__tool` in the context.
 * @param {ivm.Isolate} isolate
 * @param {ivm.Context} context
 * @param {string} source
 * @param {SourceFormat} format
 * @param {number} timeoutMs
 */
export async function compileTool(isolate, context, source, format, timeoutMs) {
  const compiled = await compileSource(isolate, source, format);
  if (format === 'module') {
    const mod = /** @type {ivm.Module} */ (compiled);
    await mod.instantiate(context, (/** @type {string} */ specifier) => {
      throw new Error(`imports are not available in tools (${specifier})`);
    });
    await mod.evaluate({ timeout: timeoutMs });
    await context.global.set('__module', mod.namespace.derefInto());
    await context.eval(PICK_EXPORT, { timeout: timeoutMs });
  } else {
    await /** @type {ivm.Script} */ (compiled).run(context, { timeout: timeoutMs });
  }
}

/**
 * A fresh isolate with console, timers (and, for a tool with allowed hosts, fetch) installed and
 * the runner made; no tool code has run in it. What a run changes (its log, its timers, its
 * fetch) lives in `state`, set when the run starts, so one can be made ahead of its run.
 * @param {number} memoryLimitMb
 * @param {number} logLimitBytes
 * @param {boolean} withFetch
 * @returns {Promise<Prepared>}
 */
export async function prepare(memoryLimitMb, logLimitBytes, withFetch) {
  /** @type {RunState} */
  const state = { logs: null, timers: new Set(), maxWaitMs: 0, fetch: null };
  const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
  try {
    const context = await isolate.createContext();
    const g = context.global;
    await g.set('globalThis', g.derefInto());
    await g.set(
      '__log',
      new ivm.Callback(
        (/** @type {unknown} */ level, /** @type {unknown} */ text) =>
          state.logs?.add(String(level), text === null ? null : String(text)),
        {
          ignored: true,
        },
      ),
    );
    // A timer's wait happens here, tracked, and is cleared when the run ends: no timer outlives it.
    await g.set(
      '__sleep',
      new ivm.Reference(
        (/** @type {unknown} */ ms) =>
          new Promise((/** @type {(value?: unknown) => void} */ resolve) => {
            const t = setTimeout(() => (state.timers.delete(t), resolve()), Math.min(Number(ms) || 0, state.maxWaitMs));
            state.timers.add(t);
          }),
      ),
    );
    await g.set('__logLimit', logLimitBytes);
    if (withFetch)
      await g.set(
        '__fetch',
        new ivm.Reference((/** @type {unknown} */ input, /** @type {FetchInit} */ init) => state.fetch?.(input, init)),
      );
    await context.eval(PRELUDE, { timeout: 1000 });
    const runner = await context.eval(RUNNER, { reference: true });
    return { isolate, context, runner, state };
  } catch (e) {
    if (!isolate.isDisposed) isolate.dispose();
    throw e;
  }
}
