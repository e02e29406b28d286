import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What agents talk with: model settings and tool ids on the agent, core memory blocks (shared by
 * any number of agents of the organization) and the conversation log, searchable by full text.
 */
export class AgentChat1764518400000 implements MigrationInterface {
  name = 'AgentChat1764518400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE agents ADD COLUMN model jsonb NOT NULL DEFAULT '{}'::jsonb, ADD COLUMN tool_ids uuid[] NOT NULL DEFAULT '{}'`,
    );
    await q.query(`
      CREATE TABLE blocks (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        label text NOT NULL,
        value text NOT NULL,
        char_limit integer NOT NULL CHECK (char_limit > 0),
        description text,
        read_only boolean NOT NULL DEFAULT false,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (char_length(value) <= char_limit)
      )`);
    await q.query(`CREATE INDEX blocks_org ON blocks (organization_id, id)`);
    // The label is copied here so that one agent cannot hold two blocks of the same label;
    // position keeps the prompt order (the order of attachment).
    await q.query(`
      CREATE TABLE agent_blocks (
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        block_id uuid NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
        label text NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY,
        attached_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, block_id),
        UNIQUE (agent_id, label)
      )`);
    await q.query(`CREATE INDEX agent_blocks_block ON agent_blocks (block_id)`);
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        user_id text,
        run_id text,
        request_id uuid,
        role text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
        content text NOT NULL,
        tool_calls jsonb,
        tool_call_id text,
        tool_name text,
        tokens integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
      )`);
    await q.query(`CREATE INDEX messages_agent ON messages (organization_id, agent_id, id)`);
    await q.query(`CREATE INDEX messages_agent_user ON messages (organization_id, agent_id, user_id, id)`);
    await q.query(
      `CREATE INDEX messages_run ON messages (organization_id, agent_id, run_id, id) WHERE run_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX messages_tsv ON messages USING gin (tsv)`);
    // Leases that serialize work across processes when there is no Redis (an agent's turns per user).
    await q.query(`CREATE TABLE locks (key text PRIMARY KEY, token uuid NOT NULL, expires_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE locks`);
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE agent_blocks`);
    await q.query(`DROP TABLE blocks`);
    await q.query(`ALTER TABLE agents DROP COLUMN tool_ids, DROP COLUMN model`);
  }
}
