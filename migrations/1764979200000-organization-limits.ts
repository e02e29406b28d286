import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each organization's own limits, set by the installation owner: memories it may store, requests
 * per minute (all its keys and users together), sandboxed tool runs per minute. A column that is
 * NULL, or an organization without a row, takes the installation default (ORG_MEMORIES_LIMIT,
 * ORG_RATE_LIMIT_PER_MINUTE, ORG_TOOL_RUNS_PER_MINUTE; 0 there means no limit).
 */
export class OrganizationLimits1764979200000 implements MigrationInterface {
  name = 'OrganizationLimits1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organization_limits (
        organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
        memories_stored integer CHECK (memories_stored >= 0),
        requests_per_minute integer CHECK (requests_per_minute >= 1),
        tool_runs_per_minute integer CHECK (tool_runs_per_minute >= 1),
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE organization_limits`);
  }
}
