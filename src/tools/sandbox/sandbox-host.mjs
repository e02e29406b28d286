// The sandbox host: a child process (forked by SandboxPool with --no-node-snapshot, which
// isolated-vm requires on Node >= 20) that runs tool code in a fresh V8 isolate per run.
// It is plain JavaScript so that the same file runs from the sources (tests) and from dist/.
//
// Why a separate process: V8 cannot always unwind from an out-of-memory isolate, and
// isolated-vm's own README says a hostile script can crash the process that holds it. Here
// such a crash ends this child, the pool answers the run with an error and forks a new one;
// the API process never loads the native addon. The child gets an empty environment, so no
// secret of the server is in its memory either.
//
// Protocol (IPC, one request at a time per child):
//   → { id, op: 'run', source, format: 'body'|'module', argsJson, timeoutMs, memoryLimitMb,
//       allowedHosts, allowPrivateNetworks, env, resultLimitBytes, logLimitBytes }
//   ← { id, status: 'ok'|'error'|'timeout', resultJson?, error?, logs, durationMs, cpuMs }
//   → { id, op: 'check', source }     ← { id, format: 'body'|'module', error: string | null }
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ivm from 'isolated-vm';

const MAX_FETCHES = 50;
const FETCH_BODY_LIMIT = 1024 * 1024;
const LOG_LINE_CHARS = 8192;
// The API cuts errors to 4,000 characters after replacing secrets in them; cutting first could
// leave half a secret that no longer matches.
const ERROR_CHARS = 12000;

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

function wrapBody(source) {
  return `globalThis.__tool = (async function tool(args) {\n${source}\n});`;
}

function message(e) {
  return String(e && typeof e === 'object' && 'message' in e ? e.message : e).slice(0, ERROR_CHARS);
}

/** Logs of one run, capped in bytes; what is over the cap is counted, not kept. */
class Logs {
  constructor(limitBytes) {
    this.limit = limitBytes;
    this.bytes = 0;
    this.lines = [];
    this.dropped = 0;
  }
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

function hostMatches(url, allowedHosts) {
  const host = url.host.toLowerCase();
  const name = url.hostname.toLowerCase();
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith('*.')) return name.endsWith(e.slice(1));
    return e.includes(':') && !e.startsWith('[') ? host === e : name === e || host === e;
  });
}

/**
 * fetch for the isolate: only http(s), only allowlisted hosts, no redirects followed, bodies
 * capped. It answers { response } or { error } and never rejects: isolated-vm does not carry a
 * host promise's rejection into the isolate (it would end this process as unhandled).
 */
function makeFetch(allowedHosts, deadline, allowPrivate) {
  const request = hostRequest(allowedHosts, deadline, allowPrivate);
  return (input, init) =>
    request(input, init).then(
      (response) => ({ response }),
      (e) => ({ error: message(e), type: e instanceof TypeError ? 'TypeError' : 'Error' }),
    );
}

// Addresses a tool's fetch may not reach unless TOOLS_FETCH_PRIVATE_NETWORKS is set: this
// machine, private networks, link-local (cloud metadata at 169.254.169.254), multicast, reserved.
const PRIVATE = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
]) {
  PRIVATE.addSubnet(a, p, 'ipv4');
}
for (const [a, p] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
])
  PRIVATE.addSubnet(a, p, 'ipv6');

function isPrivate(address) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** dns.lookup that refuses private addresses: checked on the address the socket will use, so a name re-resolving elsewhere cannot slip by. */
function guardedLookup(hostname, options, callback) {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const blocked = addresses.find((a) => isPrivate(a.address));
    if (blocked)
      return callback(
        new Error(
          `fetch: ${hostname} resolves to ${blocked.address}, a private address (the server allows none: TOOLS_FETCH_PRIVATE_NETWORKS)`,
        ),
      );
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

/** One HTTP exchange with node:http(s): no redirect followed, the body read up to the cap. */
function exchange(url, init, deadline, allowPrivate) {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: init.method,
        headers: init.headers,
        agent: false,
        lookup: allowPrivate ? undefined : guardedLookup,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      },
      (res) => {
        const chunks = [];
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.byteLength;
          if (size > FETCH_BODY_LIMIT) {
            res.destroy();
            reject(new Error(`fetch: the response body is over ${FETCH_BODY_LIMIT} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const headers = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            url: url.href,
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body ?? undefined);
  });
}

function hostRequest(allowedHosts, deadline, allowPrivate) {
  let count = 0;
  return async (input, init) => {
    count += 1;
    if (count > MAX_FETCHES) throw new Error(`fetch: at most ${MAX_FETCHES} requests per run`);
    let url;
    try {
      url = new URL(input);
    } catch {
      throw new TypeError(`fetch: invalid URL ${String(input).slice(0, 200)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`fetch: only http and https URLs are allowed, not ${url.protocol}`);
    if (!hostMatches(url, allowedHosts)) throw new Error(`fetch: host ${url.host} is not in this tool's allowedHosts`);
    // An address written in the URL is never looked up, so it is checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivate && net.isIP(literal) && isPrivate(literal)) {
      throw new Error(`fetch: ${literal} is a private address (the server allows none: TOOLS_FETCH_PRIVATE_NETWORKS)`);
    }
    return exchange(url, init, deadline, allowPrivate);
  };
}

/** The source compiled in its form: a module (refused if it imports anything), or a function body's script. */
async function compileSource(isolate, source, format) {
  if (format !== 'module') return isolate.compileScript(wrapBody(source), { filename: 'tool.js', lineOffset: -1 });
  const mod = await isolate.compileModule(source, { filename: 'tool.mjs' });
  if (mod.dependencySpecifiers.length > 0)
    throw new Error(`imports are not available in tools (${mod.dependencySpecifiers.join(', ')})`);
  return mod;
}

async function compileTool(isolate, context, source, format, timeoutMs) {
  const compiled = await compileSource(isolate, source, format);
  if (format === 'module') {
    const mod = compiled;
    await mod.instantiate(context, (specifier) => {
      throw new Error(`imports are not available in tools (${specifier})`);
    });
    await mod.evaluate({ timeout: timeoutMs });
    await context.global.set('__module', mod.namespace.derefInto());
    await context.eval(PICK_EXPORT, { timeout: timeoutMs });
  } else {
    await compiled.run(context, { timeout: timeoutMs });
  }
}

/**
 * A fresh isolate with console, timers (and, for a tool with allowed hosts, fetch) installed and
 * the runner made; no tool code has run in it. What a run changes (its log, its timers, its
 * fetch) lives in `state`, set when the run starts, so one can be made ahead of its run.
 */
async function prepare(memoryLimitMb, logLimitBytes, withFetch) {
  const state = { logs: null, timers: new Set(), maxWaitMs: 0, fetch: null };
  const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
  try {
    const context = await isolate.createContext();
    const g = context.global;
    await g.set('globalThis', g.derefInto());
    await g.set(
      '__log',
      new ivm.Callback((level, text) => state.logs?.add(String(level), text === null ? null : String(text)), {
        ignored: true,
      }),
    );
    // A timer's wait happens here, tracked, and is cleared when the run ends: no timer outlives it.
    await g.set(
      '__sleep',
      new ivm.Reference(
        (ms) =>
          new Promise((resolve) => {
            const t = setTimeout(() => (state.timers.delete(t), resolve()), Math.min(Number(ms) || 0, state.maxWaitMs));
            state.timers.add(t);
          }),
      ),
    );
    await g.set('__logLimit', logLimitBytes);
    if (withFetch) await g.set('__fetch', new ivm.Reference((input, init) => state.fetch(input, init)));
    await context.eval(PRELUDE, { timeout: 1000 });
    const runner = await context.eval(RUNNER, { reference: true });
    return { isolate, context, runner, state };
  } catch (e) {
    if (!isolate.isDisposed) isolate.dispose();
    throw e;
  }
}

// The isolate for the next run, made while this process waits (a tool without fetch, with the
// memory limit of the last run): a run then starts in ~1 ms instead of ~6.
let warm = null;

function prewarm(memoryLimitMb, logLimitBytes) {
  const key = `${memoryLimitMb}:${logLimitBytes}`;
  warm = { key, ready: prepare(memoryLimitMb, logLimitBytes, false).catch(() => null) };
}

async function takeWarm(req) {
  const key = `${req.memoryLimitMb}:${req.logLimitBytes}`;
  const slot = warm;
  warm = null;
  if (!slot) return null;
  if (slot.key === key && req.allowedHosts.length === 0) return slot.ready;
  void slot.ready.then((prepared) => prepared && !prepared.isolate.isDisposed && prepared.isolate.dispose());
  return null;
}

async function run(req) {
  const started = performance.now();
  const deadline = Date.now() + req.timeoutMs;
  const logs = new Logs(req.logLimitBytes);
  let timedOut = false;
  let prepared = null;
  let cpuMs = 0;
  const killer = setTimeout(() => {
    timedOut = true;
    if (prepared && !prepared.isolate.isDisposed) prepared.isolate.dispose();
  }, req.timeoutMs);
  const finish = (fields) => ({
    id: req.id,
    ...fields,
    logs: logs.list(),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    cpuMs,
  });
  try {
    prepared =
      (await takeWarm(req)) ?? (await prepare(req.memoryLimitMb, req.logLimitBytes, req.allowedHosts.length > 0));
    if (timedOut) throw new Error('timed out');
    const { isolate, context, runner, state } = prepared;
    state.logs = logs;
    state.maxWaitMs = req.timeoutMs;
    // The tool's secrets, read-only.
    await context.global.set('env', new ivm.ExternalCopy(req.env ?? {}).copyInto());
    await context.eval(
      "Object.defineProperty(globalThis, 'env', { value: Object.freeze(globalThis.env), writable: false, configurable: false })",
      { timeout: 1000 },
    );
    if (req.allowedHosts.length > 0)
      state.fetch = makeFetch(req.allowedHosts, deadline, req.allowPrivateNetworks === true);
    await compileTool(isolate, context, req.source, req.format, Math.max(1, deadline - Date.now()));
    const out = await runner.apply(undefined, [req.argsJson, req.resultLimitBytes], {
      timeout: Math.max(1, deadline - Date.now()),
      result: { promise: true, copy: true },
    });
    cpuMs = Math.round(Number(isolate.cpuTime) / 1e4) / 100;
    if (typeof out !== 'string' || (out[0] !== 'j' && out[0] !== 'e'))
      return finish({ status: 'error', error: 'the tool’s answer could not be read' });
    if (out[0] === 'e') return finish({ status: 'error', error: out.slice(1, ERROR_CHARS + 1) });
    const json = out.slice(1);
    if (Buffer.byteLength(json) > req.resultLimitBytes)
      return finish({
        status: 'error',
        error: `the result is ${Buffer.byteLength(json)} bytes of JSON; the limit is ${req.resultLimitBytes} bytes`,
      });
    return finish({ status: 'ok', resultJson: json });
  } catch (e) {
    if (prepared && !prepared.isolate.isDisposed) cpuMs = Math.round(Number(prepared.isolate.cpuTime) / 1e4) / 100;
    const text = message(e);
    if (e && e.name === 'SyntaxError') return finish({ status: 'error', error: `SyntaxError: ${text}` });
    if (timedOut || /timed out/i.test(text))
      return finish({ status: 'timeout', error: `the tool ran longer than its timeout of ${req.timeoutMs} ms` });
    if (/memory limit/i.test(text))
      return finish({ status: 'error', error: `the tool went over its memory limit of ${req.memoryLimitMb} MB` });
    return finish({ status: 'error', error: text });
  } finally {
    clearTimeout(killer);
    if (prepared) {
      for (const t of prepared.state.timers) clearTimeout(t);
      if (!prepared.isolate.isDisposed) prepared.isolate.dispose();
    }
    // After the reply has gone out.
    setImmediate(() => prewarm(req.memoryLimitMb, req.logLimitBytes));
  }
}

async function compiles(isolate, source, format) {
  try {
    await compileSource(isolate, source, format);
    return null;
  } catch (e) {
    return `${e && e.name === 'SyntaxError' ? 'SyntaxError: ' : ''}${message(e)}`;
  }
}

// Which form the source has: a function body, unless it only compiles as a module (a body
// cannot hold `export`). Answers the format and what is wrong with it, if anything.
async function check(req) {
  const isolate = new ivm.Isolate({ memoryLimit: 16 });
  try {
    const asBody = await compiles(isolate, req.source, 'body');
    if (asBody === null) return { id: req.id, format: 'body', error: null };
    if (!/\bexport\b/.test(req.source)) return { id: req.id, format: 'body', error: asBody };
    const asModule = await compiles(isolate, req.source, 'module');
    if (asModule === null || /^\s*export\s/m.test(req.source)) return { id: req.id, format: 'module', error: asModule };
    return { id: req.id, format: 'body', error: asBody };
  } finally {
    isolate.dispose();
  }
}

process.on('message', (req) => {
  const work = req.op === 'check' ? check(req) : run(req);
  work.then(
    (reply) => process.send?.(reply),
    (e) => process.send?.({ id: req.id, status: 'error', error: message(e), logs: [], durationMs: 0, cpuMs: 0 }),
  );
});
// The API process went away (even by kill -9): nothing is left to answer to.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
