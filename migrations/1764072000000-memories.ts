import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Memories, their history, and installation settings. The embedding column is not created
 * here: its dimension belongs to the configured embedder, so the server adds it at start
 * (src/memory/vector-schema.ts) when pgvector is available, and records the model in
 * installation_settings.
 */
export class Memories1764072000000 implements MigrationInterface {
  name = 'Memories1764072000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE memories (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id text,
        agent_id text,
        run_id text,
        content text NOT NULL,
        -- Neighbouring conversation turns: indexed for full text at a lower weight, never returned as the memory.
        context text,
        type text NOT NULL CHECK (type IN ('episodic', 'semantic', 'procedural', 'working')),
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        importance real NOT NULL DEFAULT 0.5 CHECK (importance >= 0 AND importance <= 1),
        hash text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', content), 'A') || setweight(to_tsvector('english', coalesce(context, '')), 'B')
        ) STORED,
        access_count integer NOT NULL DEFAULT 0,
        last_accessed_at timestamptz,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // One live memory per normalized text and scope: the dedupe of infer=false adds.
    await q.query(`
      CREATE UNIQUE INDEX memories_scope_hash ON memories
        (organization_id, coalesce(user_id, ''), coalesce(agent_id, ''), coalesce(run_id, ''), hash)
        WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX memories_org_page ON memories (organization_id, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX memories_org_user ON memories (organization_id, user_id, id) WHERE deleted_at IS NULL`);
    await q.query(
      `CREATE INDEX memories_org_agent ON memories (organization_id, agent_id, id) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE INDEX memories_org_run ON memories (organization_id, run_id, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX memories_tsv ON memories USING gin (tsv)`);
    await q.query(`CREATE INDEX memories_metadata ON memories USING gin (metadata jsonb_path_ops)`);
    await q.query(`
      CREATE TABLE memory_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        memory_id uuid NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
        event text NOT NULL CHECK (event IN ('ADD', 'UPDATE', 'DELETE')),
        old_content text,
        new_content text,
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX memory_history_memory ON memory_history (memory_id, id)`);
    await q.query(`
      CREATE TABLE installation_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE installation_settings`);
    await q.query(`DROP TABLE memory_history`);
    await q.query(`DROP TABLE memories`);
  }
}
