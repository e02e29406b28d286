import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** PGlite's own thread (see the file for its messages). */
const THREAD_SCRIPT = new URL('./embedded-postgres-thread.mjs', import.meta.url);

/** The file name the `pg` driver expects for a server socket in a directory (`.s.PGSQL.<port>`). */
const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** Unix socket paths are limited to 107 bytes on Linux; keep a margin. */
const MAX_SOCKET_PATH = 100;

export interface EmbeddedConnection {
  /** A directory holding the server's Unix socket (what `pg` takes as host). */
  host: string;
  port: number;
}

/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly, with pgvector) on a data
 * directory, served over the PostgreSQL wire protocol on a Unix socket so that TypeORM's
 * ordinary `postgres` driver talks to it exactly as it talks to a real server.
 *
 * PGlite runs in a thread of its own (embedded-postgres-thread.mjs): its WebAssembly PostgreSQL
 * was ~45 % of the server's CPU under concurrent adds, and in the main thread it held up every
 * HTTP request while it worked. The socket is how the two threads talk, as before.
 *
 * It serves exactly ONE connection: PGlite is single-threaded, and with several sockets
 * concurrent transactions corrupted each other's prepared statements (docs/ARCHITECTURE.md).
 * The socket lives in the data directory with the directory's permissions, so no other local
 * user can reach the database, and it doubles as a lock: a second server on the same data
 * directory finds a live socket and refuses to start instead of corrupting the files.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly thread: Worker,
    private readonly socketDir: string,
    private readonly ownsSocketDir: boolean,
  ) {
    thread.once('exit', () => (this.exited = true));
  }

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const root = resolve(dataDir);
    const pgdata = join(root, 'pgdata');
    await mkdir(pgdata, { recursive: true, mode: 0o700 });

    let socketDir = root;
    let ownsSocketDir = false;
    if (join(root, SOCKET_NAME).length > MAX_SOCKET_PATH) {
      socketDir = await mkdtemp(join(tmpdir(), 'agentmem-'));
      ownsSocketDir = true;
    }
    const socketPath = join(socketDir, SOCKET_NAME);
    await EmbeddedPostgres.claimSocket(socketPath, root);

    if (!existsSync(join(pgdata, 'PG_VERSION'))) {
      // A new data directory: PGlite creates the cluster (initdb) in the thread's WebAssembly
      // memory, which grows by ~300 MB doing it and never gives it back. That thread only
      // creates it; the server's thread opens it at its working size (bench/README.md, RSS).
      await new EmbeddedPostgres(await EmbeddedPostgres.spawn(pgdata, socketPath), socketDir, false).stop();
      await EmbeddedPostgres.claimSocket(socketPath, root);
    }
    return new EmbeddedPostgres(await EmbeddedPostgres.spawn(pgdata, socketPath), socketDir, ownsSocketDir);
  }

  /** Starts PGlite's thread on the data directory, serving the socket once it is ready. */
  private static async spawn(pgdata: string, socketPath: string): Promise<Worker> {
    const thread = new Worker(THREAD_SCRIPT, { workerData: { pgdata, socketPath } });
    await new Promise<void>((ready, fail) => {
      const onExit = (code: number) =>
        fail(new Error(`the embedded database thread exited (code ${code}) before it was ready`));
      thread.once('error', fail);
      thread.once('exit', onExit);
      thread.once('message', (message: { type: string; message?: string }) => {
        thread.off('exit', onExit);
        thread.off('error', fail);
        if (message.type === 'ready') ready();
        else fail(new Error(`the embedded database did not start: ${message.message ?? message.type}`));
      });
    });
    return thread;
  }

  /** Removes a stale socket left by a killed process; refuses when a live server holds it. */
  private static async claimSocket(socketPath: string, dataDir: string): Promise<void> {
    const exists = await stat(socketPath).then(
      () => true,
      () => false,
    );
    if (!exists) return;
    const alive = await new Promise<boolean>((done) => {
      const probe = connect(socketPath);
      probe.once('connect', () => {
        probe.destroy();
        done(true);
      });
      probe.once('error', () => done(false));
    });
    if (alive) {
      throw new Error(`DATA_DIR ${dataDir} is in use by another AgentMem process; stop it or choose another DATA_DIR`);
    }
    await unlink(socketPath);
  }

  private stopped: Promise<void> | null = null;
  private exited = false;

  get connection(): EmbeddedConnection {
    return { host: this.socketDir, port: SOCKET_PORT };
  }

  /** Closes the socket and the database (its files complete), then ends the thread. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = new Promise<void>((done) => {
      if (this.exited) return done();
      this.thread.once('exit', () => done());
      this.thread.once('message', (message: { type: string }) => {
        if (message.type === 'stopped') void this.thread.terminate();
      });
      this.thread.postMessage({ type: 'stop' });
    });
    await this.stopped;
    if (this.ownsSocketDir) await rm(this.socketDir, { recursive: true, force: true });
  }
}
