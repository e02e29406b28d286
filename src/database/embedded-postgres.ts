import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdir, mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
 * It serves exactly ONE connection: PGlite is single-threaded, and with several sockets
 * concurrent transactions corrupted each other's prepared statements (docs/ARCHITECTURE.md).
 * The socket lives in the data directory with the directory's permissions, so no other local
 * user can reach the database, and it doubles as a lock: a second server on the same data
 * directory finds a live socket and refuses to start instead of corrupting the files.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly socketDir: string,
    private readonly ownsSocketDir: boolean,
  ) {}

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

    const db = await PGlite.create(pgdata, { extensions: { vector } });
    const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
    try {
      await server.start();
    } catch (error) {
      await db.close();
      throw error;
    }
    return new EmbeddedPostgres(db, server, socketDir, ownsSocketDir);
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

  get connection(): EmbeddedConnection {
    return { host: this.socketDir, port: SOCKET_PORT };
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    if (this.ownsSocketDir) await rm(this.socketDir, { recursive: true, force: true });
  }
}
