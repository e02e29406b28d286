import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tool registry (with each tool's sealed secrets), the record of every run, and an agent's tools as a join table (replacing
 * agents.tool_ids): deleting a tool detaches it from every agent in the same statement.
 */
export class Tools1764547200000 implements MigrationInterface {
  name = 'Tools1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tools (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL,
        parameters jsonb NOT NULL,
        source_code text NOT NULL,
        source_format text NOT NULL CHECK (source_format IN ('body', 'module')),
        tags text[] NOT NULL DEFAULT '{}',
        timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 1 AND 60000),
        memory_limit_mb integer NOT NULL CHECK (memory_limit_mb BETWEEN 8 AND 256),
        allowed_hosts text[] NOT NULL DEFAULT '{}',
        -- AES-256-GCM sealed {NAME: value}, and the names in clear for listing.
        secrets text,
        secret_names text[] NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      )`);
    await q.query(`CREATE INDEX tools_org ON tools (organization_id, id)`);
    await q.query(`CREATE INDEX tools_tags ON tools USING gin (tags)`);
    await q.query(`
      CREATE TABLE tool_runs (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        tool_id uuid NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
        caller text NOT NULL,
        agent_id uuid,
        args_hash text NOT NULL,
        status text NOT NULL CHECK (status IN ('ok', 'error', 'timeout')),
        duration_ms real NOT NULL,
        cpu_ms real,
        error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tool_runs_tool ON tool_runs (organization_id, tool_id, id DESC)`);
    await q.query(`CREATE INDEX tool_runs_created ON tool_runs (created_at)`);
    await q.query(`
      CREATE TABLE agent_tools (
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        tool_id uuid NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
        position bigint GENERATED ALWAYS AS IDENTITY,
        attached_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, tool_id)
      )`);
    await q.query(`CREATE INDEX agent_tools_tool ON agent_tools (tool_id)`);
    // Ids stored before there was a registry cannot name a tool: nothing to carry over.
    await q.query(`ALTER TABLE agents DROP COLUMN tool_ids`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agents ADD COLUMN tool_ids uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `UPDATE agents a SET tool_ids = ARRAY(SELECT t.tool_id FROM agent_tools t WHERE t.agent_id = a.id ORDER BY t.position)`,
    );
    await q.query(`DROP TABLE agent_tools`);
    await q.query(`DROP TABLE tool_runs`);
    await q.query(`DROP TABLE tools`);
  }
}
