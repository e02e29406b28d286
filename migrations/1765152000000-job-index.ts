import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which organization queued which job, for GET /jobs (the organization's recent jobs): BullMQ
 * keeps jobs per queue with no index by organization, so the list reads ids here (newest first,
 * by their time-ordered uuid) and each job's state from the runner. Pruned with the runners'
 * retention (a failed job is kept 7 days).
 */
export class JobIndex1765152000000 implements MigrationInterface {
  name = 'JobIndex1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_index (
        job_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        queue text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_index_organization ON job_index (organization_id, job_id DESC)`);
    await q.query(`CREATE INDEX job_index_created ON job_index (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_index`);
  }
}
