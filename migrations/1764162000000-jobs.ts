import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Jobs of the in-process runner (the embedded mode's queue, durable across a crash; BullMQ keeps
 * its own elsewhere) and the results jobs leave for download (exports), for every runner.
 */
export class Jobs1764162000000 implements MigrationInterface {
  name = 'Jobs1764162000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
        queue text NOT NULL,
        data jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('waiting', 'active', 'delayed', 'completed', 'failed')),
        progress real NOT NULL DEFAULT 0,
        result jsonb,
        error text,
        attempts_made integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        run_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX jobs_unfinished ON jobs (run_at) WHERE state IN ('waiting', 'active', 'delayed')`);
    await q.query(`
      CREATE TABLE job_results (
        job_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        content_type text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_results`);
    await q.query(`DROP TABLE jobs`);
  }
}
