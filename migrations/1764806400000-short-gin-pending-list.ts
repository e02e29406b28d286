import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The full-text index keeps a short pending list. GIN's fast update appends new entries to an
 * unsorted list (up to 4 MB by default) that every search then reads in full, until a vacuum or
 * an insert that overflows it merges the list into the index: at 100k memories right after a bulk
 * add, the GIN scan of one word took 16 ms instead of 0.7 ms on PGlite. With 256 kB the merges
 * come more often and each is smaller; the total work of inserting is about the same.
 */
export class ShortGinPendingList1764806400000 implements MigrationInterface {
  name = 'ShortGinPendingList1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX memories_tsv SET (gin_pending_list_limit = 256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX memories_tsv RESET (gin_pending_list_limit)`);
  }
}
