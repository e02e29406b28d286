import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';

/**
 * How often the tables' counters are read (two cheap statements when nothing is due). Soon
 * after a bulk add: the first searches after 10k memories were added in a few seconds ran on a
 * never-analyzed table, whose plan scanned the scope instead of the GIN index (p50 ~230 ms
 * instead of ~50 ms, bench/README.md) until the pass came, 15 s apart before.
 */
const CHECK_INTERVAL_MS = 2_000;
/** On a PostgreSQL server whose own autovacuum is off: as often as its naptime would allow, about. */
const SERVER_CHECK_INTERVAL_MS = 10_000;
/** The advisory lock that lets one process (API replica or worker) of an installation do a pass at a time. */
export const PASS_LOCK = 7_161_453;
/** A table is analyzed after this many changed rows plus a share of its size, vacuumed after as many dead rows. */
export const BASE_THRESHOLD = 500;
export const SCALE_FACTOR = 0.2;

interface TableCounters {
  relname: string;
  live: number;
  dead: number;
  changed: number;
  inserted: number;
}

/**
 * PostgreSQL's autovacuum for the embedded database. PGlite runs PostgreSQL in single-user mode,
 * with no autovacuum worker: left alone, its tables are never analyzed (the planner then takes a
 * 100k-row table for an empty one and scans the wrong index: full-text search at 100k took 10×
 * longer) and dead rows of updates and deletes are never reclaimed. This does what autovacuum
 * would, with its rule (a base plus a share of the table): every 2 s it reads the tables'
 * counters and runs ANALYZE, or VACUUM (ANALYZE) after dead or newly inserted rows (the
 * visibility map, which index-only scans of the quantized vectors need), on those past it, one table at a time. On
 * PostgreSQL the server's own autovacuum does this, and this stays off, unless that server runs
 * with `autovacuum = off` (as this project's test machines do): then a 100k table filled over the
 * API was never analyzed, and its searches ran 2-6× slower than after an ANALYZE. Then the same
 * pass runs every 10 s on a connection of its own, under an advisory lock so that one process of
 * the installation does it at a time, and boot logs a warning.
 */
@Injectable()
export class TableMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TableMaintenance');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.embedded) {
      this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS).unref();
      return;
    }
    const [{ autovacuum }]: { autovacuum: string }[] = await this.dataSource.query(
      `SELECT current_setting('autovacuum') AS autovacuum`,
    );
    if (autovacuum === 'on') return;
    this.logger.warn(
      'the PostgreSQL server runs with autovacuum = off: this process analyzes and vacuums its tables instead (turn autovacuum on)',
    );
    this.timer = setInterval(() => void this.check(), SERVER_CHECK_INTERVAL_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the tables; a pass still running is not started again. */
  check(): Promise<void> {
    this.running ??= (this.config.embedded ? this.pass(this.dataSource) : this.lockedPass())
      .catch((error: Error) => {
        if (this.dataSource.isInitialized) this.logger.warn(`table maintenance failed: ${error.message}`);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  /** A pass on a PostgreSQL server: its own connection, holding the installation's lock (skipped when another process has it). */
  private async lockedPass(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${PASS_LOCK}) AS locked`)) as {
        locked: boolean;
      }[];
      if (!locked) return;
      try {
        await this.pass(runner);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${PASS_LOCK})`);
      }
    } finally {
      await runner.release();
    }
  }

  private async pass(db: Pick<DataSource, 'query'>): Promise<void> {
    // The one embedded connection's counters reach the shared statistics at most once a second;
    // flush them first (a PostgreSQL pass runs on a connection of its own, which has none).
    if (this.config.embedded) await db.query(`SELECT pg_stat_force_next_flush()`);
    const tables: TableCounters[] = await db.query(
      `SELECT relname, n_live_tup::float8 AS live, n_dead_tup::float8 AS dead, n_mod_since_analyze::float8 AS changed,
              n_ins_since_vacuum::float8 AS inserted
       FROM pg_stat_user_tables WHERE schemaname = 'public'`,
    );
    for (const t of tables) {
      if (this.stopping) return;
      const threshold = BASE_THRESHOLD + SCALE_FACTOR * t.live;
      const name = `"${t.relname.replace(/"/g, '""')}"`;
      // Inserts count too (as autovacuum_vacuum_insert_threshold): VACUUM marks pages all-visible, which index-only scans need.
      const statement =
        t.dead > threshold || t.inserted > 2 * threshold
          ? `VACUUM (ANALYZE) ${name}`
          : t.changed > threshold
            ? `ANALYZE ${name}`
            : null;
      if (!statement) continue;
      const started = performance.now();
      await db.query(statement);
      this.logger.debug(
        `${statement}: ${Math.round(performance.now() - started)} ms (${t.live} live, ${t.dead} dead, ${t.inserted} inserted rows)`,
      );
    }
  }
}
