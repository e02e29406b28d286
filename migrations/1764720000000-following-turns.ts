import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A memory remembers the turn before it by id (`prev_id`), so that the turn after a memory can
 * be found from the memory: the rows whose `prev_id` it is. Until now the next add rewrote its
 * predecessor's `context` to hold its text (a second version of the row, not HOT: the tsvector
 * and every index again), which was ~70 % of an add's cost inside PGlite. The text leg now
 * reads the following turn through this index instead. No foreign key: a purged neighbour
 * only takes its words with it. Contexts written before this migration keep both turns.
 */
export class FollowingTurns1764720000000 implements MigrationInterface {
  name = 'FollowingTurns1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memories ADD COLUMN prev_id uuid`);
    await q.query(`CREATE INDEX memories_prev ON memories (prev_id) WHERE prev_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX memories_prev`);
    await q.query(`ALTER TABLE memories DROP COLUMN prev_id`);
  }
}
