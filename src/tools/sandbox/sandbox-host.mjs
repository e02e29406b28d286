// @ts-check
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
// Its two sides live beside it: sandbox-isolate.mjs (what runs in the isolate, compiling, logs)
// and sandbox-network.mjs (the tool's fetch). The IPC protocol is written once, as types, in
// protocol.ts, which the pool (sandbox-pool.ts) and these files (JSDoc, `// @ts-check`) share.
import ivm from 'isolated-vm';
import { compileSource, compileTool, ERROR_CHARS, Logs, message, prepare } from './sandbox-isolate.mjs';
import { makeFetch } from './sandbox-network.mjs';

/** @typedef {import('./protocol.js').RunRequest} RunRequest */
/** @typedef {import('./protocol.js').CheckRequest} CheckRequest */
/** @typedef {import('./protocol.js').RunReply} RunReply */
/** @typedef {import('./protocol.js').CheckReply} CheckReply */
/** @typedef {import('./protocol.js').HostRequest} HostRequest */
/** @typedef {import('./sandbox-isolate.mjs').Prepared} Prepared */

// The isolate for the next run, made while this process waits (a tool without fetch, with the
// memory limit of the last run): a run then starts in ~1 ms instead of ~6.
/** @type {{ key: string, ready: Promise<Prepared | null> } | null} */
let warm = null;

/**
 * @param {number} memoryLimitMb
 * @param {number} logLimitBytes
 */
function prewarm(memoryLimitMb, logLimitBytes) {
  const key = `${memoryLimitMb}:${logLimitBytes}`;
  warm = { key, ready: prepare(memoryLimitMb, logLimitBytes, false).catch(() => null) };
}

/**
 * The isolate made ahead, if it suits this run (else it is disposed).
 * @param {RunRequest} req
 * @returns {Promise<Prepared | null>}
 */
async function takeWarm(req) {
  const key = `${req.memoryLimitMb}:${req.logLimitBytes}`;
  const slot = warm;
  warm = null;
  if (!slot) return null;
  if (slot.key === key && req.allowedHosts.length === 0) return slot.ready;
  void slot.ready.then((prepared) => prepared && !prepared.isolate.isDisposed && prepared.isolate.dispose());
  return null;
}

/**
 * @param {RunRequest} req
 * @returns {Promise<RunReply>}
 */
async function run(req) {
  const started = performance.now();
  const deadline = Date.now() + req.timeoutMs;
  const logs = new Logs(req.logLimitBytes);
  let timedOut = false;
  /** @type {Prepared | null} */
  let prepared = null;
  let cpuMs = 0;
  const killer = setTimeout(() => {
    timedOut = true;
    if (prepared && !prepared.isolate.isDisposed) prepared.isolate.dispose();
  }, req.timeoutMs);
  /** @param {Pick<RunReply, 'status' | 'resultJson' | 'error'>} fields @returns {RunReply} */
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
    if (isSyntaxError(e)) return finish({ status: 'error', error: `SyntaxError: ${text}` });
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

/**
 * What is wrong with the source in this form, or null.
 * @param {ivm.Isolate} isolate
 * @param {string} source
 * @param {import('./protocol.js').SourceFormat} format
 */
async function compiles(isolate, source, format) {
  try {
    await compileSource(isolate, source, format);
    return null;
  } catch (e) {
    return `${isSyntaxError(e) ? 'SyntaxError: ' : ''}${message(e)}`;
  }
}

// Which form the source has: a function body, unless it only compiles as a module (a body
// cannot hold `export`). Answers the format and what is wrong with it, if anything.
/**
 * @param {CheckRequest} req
 * @returns {Promise<CheckReply>}
 */
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

/** @param {unknown} e */
function isSyntaxError(e) {
  return typeof e === 'object' && e !== null && 'name' in e && e.name === 'SyntaxError';
}

process.on('message', (/** @type {HostRequest} */ req) => {
  /** @type {Promise<RunReply | CheckReply>} */
  const work = req.op === 'check' ? check(req) : run(req);
  work.then(
    (reply) => process.send?.(reply),
    (e) => process.send?.({ id: req.id, status: 'error', error: message(e), logs: [], durationMs: 0, cpuMs: 0 }),
  );
});
// The API process went away (even by kill -9): nothing is left to answer to.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
