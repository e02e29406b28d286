import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsService } from '../observability/metrics.service.js';

/** How long a scrape waits for the database to answer before it counts as down. */
const PROBE_TIMEOUT_MS = 3000;

/** The counts node-postgres keeps on its pool (TypeORM's PostgresDriver holds it as `master`). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Database metrics, read at each scrape: agentmem_db_pool_connections by state (total, idle,
 * waiting: queries queued for a connection) from the pg pool behind TypeORM, and agentmem_db_up
 * from a `SELECT 1` that must answer within PROBE_TIMEOUT_MS. On the embedded database the pool
 * is its one connection to PGlite, so `waiting` is the queue in front of the database's single
 * thread, and `up` says whether that queue moves.
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit, OnModuleDestroy {
  private stopCollecting: (() => void) | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.stopCollecting = this.metrics.onCollect(() => this.collect());
  }

  onModuleDestroy(): void {
    this.stopCollecting?.();
  }

  private async collect(): Promise<void> {
    const pool = (this.dataSource.driver as unknown as { master?: Partial<PoolCounts> }).master;
    if (pool && typeof pool.totalCount === 'number') {
      this.metrics.dbPool.set({ state: 'total' }, pool.totalCount);
      this.metrics.dbPool.set({ state: 'idle' }, pool.idleCount ?? 0);
      this.metrics.dbPool.set({ state: 'waiting' }, pool.waitingCount ?? 0);
    }
    this.metrics.dbUp.set((await this.answers()) ? 1 : 0);
  }

  private async answers(): Promise<boolean> {
    if (!this.dataSource.isInitialized) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    });
    const probe = this.dataSource.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
