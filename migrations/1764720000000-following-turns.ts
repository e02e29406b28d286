import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The turn after a memory, for full text, in a table of its own. Until now the next add
 * rewrote its predecessor's `context` (a second, non-HOT version of the row: every index and
 * the whole tsvector again), which was ~70 % of an add's cost in the database. The new add
 * only inserts here; the text leg takes candidates from it too and reads it by primary key
 * when it scores one.
 * Contexts written before this migration keep their following turns in `memories.context`.
 */
export class FollowingTurns1764720000000 implements MigrationInterface {
  name = 'FollowingTurns1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE memory_following (
        memory_id uuid PRIMARY KEY REFERENCES memories(id) ON DELETE CASCADE,
        tsv tsvector NOT NULL
      )`);
    // A query word found only in the turn after a memory still makes that memory a candidate.
    await q.query(`CREATE INDEX memory_following_tsv ON memory_following USING gin (tsv)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE memory_following`);
  }
}
