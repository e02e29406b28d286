import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Large job inputs (an import's rows) kept in the database rather than in the queue: Redis
 * holds a small job, status reads do not load megabytes, and a retry finds the input here.
 */
export class JobPayloads1764165600000 implements MigrationInterface {
  name = 'JobPayloads1764165600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_payloads (
        job_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_payloads`);
  }
}
