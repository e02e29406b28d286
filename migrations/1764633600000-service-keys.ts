import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys become one of two kinds. `personal` (every key so far): acts for the person who made
 * it, never above that person's current role, and dies with them. `service`: made by an admin on
 * purpose, acts for the organization with its scopes alone, and outlives its creator. Keys whose
 * creator is already gone were acting for nobody: they are revoked here; keys whose creator was
 * demoted are trimmed to the creator's role, as a demotion does from now on.
 */
export class ServiceKeys1764633600000 implements MigrationInterface {
  name = 'ServiceKeys1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE api_keys ADD COLUMN kind text NOT NULL DEFAULT 'personal' CHECK (kind IN ('personal', 'service'))`,
    );
    await q.query(`UPDATE api_keys SET revoked_at = now() WHERE created_by IS NULL AND revoked_at IS NULL`);
    // Keys of people demoted before this rule: their scopes shrink to what the person's role allows.
    await q.query(`
      UPDATE api_keys k
         SET scopes = CASE WHEN u.role = 'viewer' THEN '{read}'::text[] ELSE '{read,write}'::text[] END
        FROM users u
       WHERE u.id = k.created_by
         AND ((u.role = 'viewer' AND k.scopes && '{write,admin}'::text[]) OR (u.role = 'member' AND k.scopes && '{admin}'::text[]))`);
    await q.query(`CREATE INDEX api_keys_created_by ON api_keys (created_by) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_keys_created_by`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN kind`);
  }
}
