// The embedded database's own thread (worker_threads): PGlite and its socket server run here,
// so that PostgreSQL's work (WebAssembly, one query at a time) does not share the event loop
// with HTTP. Plain JavaScript, so that the same file runs from src/ (tests) and dist/ (copied
// as an asset). Protocol, as messages to and from EmbeddedPostgres (embedded-postgres.ts):
//   workerData { pgdata, socketPath }
//   → { type: 'ready' } once the socket listens, or { type: 'failed', message } (then it exits)
//   ← { type: 'stop' }  → { type: 'stopped' } after the server and the database are closed.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { parentPort, workerData } from 'node:worker_threads';

// Settings beyond PGlite's defaults. Generic plans for prepared statements: planning the search
// statement took 2-10 ms of WebAssembly per search (more than executing it when few memories
// match); a generic plan is made once per connection and is as good here, since the words'
// rarity is computed inside the statement, where no plan could see it anyway.
const SETTINGS = [
  '-c',
  'plan_cache_mode=force_generic_plan',
  '-c',
  `shared_buffers=${process.env.AGENTMEM_PGLITE_SHARED_BUFFERS ?? '32MB'}`,
];

const { pgdata, socketPath } = workerData;
let db;
let server;
try {
  db = await PGlite.create(pgdata, {
    extensions: { vector },
    startParams: [...PGlite.defaultStartParams, ...SETTINGS],
  });
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
  await server.start();
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  await db?.close().catch(() => undefined);
  parentPort.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

parentPort.on('message', async (message) => {
  if (message?.type !== 'stop') return;
  try {
    await server.stop();
    await db.close();
  } finally {
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  }
});
