import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each memory remembers the transaction that last changed what search reads of it (its texts,
 * neighbour, scope, expiry, deletion, vector), so that a process's in-process search index
 * (memory-index.ts) can read back exactly what changed since it last looked, whoever wrote it:
 * `change_xid >= the oldest transaction still running when it last looked`. Set by a trigger on
 * every insert and update except the access counters' (the one statement that changes
 * access_count changes nothing else), so that no write path can forget it. Rows from before
 * this migration have none: an index reads them when it reads their scope.
 */
export class MemoryChanges1764892800000 implements MigrationInterface {
  name = 'MemoryChanges1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memories ADD COLUMN change_xid xid8`);
    await q.query(
      `CREATE FUNCTION memories_note_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.change_xid := pg_current_xact_id(); RETURN NEW; END $$`,
    );
    await q.query(
      `CREATE TRIGGER memories_note_insert BEFORE INSERT ON memories FOR EACH ROW EXECUTE FUNCTION memories_note_change()`,
    );
    // The access counters' update is the one that changes access_count (and nothing else): no call at all.
    await q.query(
      `CREATE TRIGGER memories_note_update BEFORE UPDATE ON memories FOR EACH ROW WHEN (OLD.access_count IS NOT DISTINCT FROM NEW.access_count) EXECUTE FUNCTION memories_note_change()`,
    );
    // Room in each page for the counters' updates to stay on the page (HOT: no index touched;
    // with full pages each one inserted every index entry of the row again, GIN's included).
    await q.query(`ALTER TABLE memories SET (fillfactor = 80)`);
    await q.query(
      `CREATE INDEX memories_changes ON memories (organization_id, change_xid) WHERE change_xid IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX memories_changes`);
    await q.query(`ALTER TABLE memories RESET (fillfactor)`);
    await q.query(`DROP TRIGGER memories_note_update ON memories`);
    await q.query(`DROP TRIGGER memories_note_insert ON memories`);
    await q.query(`DROP FUNCTION memories_note_change()`);
    await q.query(`ALTER TABLE memories DROP COLUMN change_xid`);
  }
}
