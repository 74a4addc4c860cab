-- Posting imports are written in short transactions, one per batch, into an
-- import that readers do not see until it is `done`. At most one import runs at
-- a time per database (deduplication needs to see what came before); its
-- `heartbeat` (Unix seconds) says whether the process running it is alive, so a
-- crashed import can be resumed (`rows_read` records are done) or discarded.
-- `first_posting`/`last_posting` bound the ids of the import's new postings.
ALTER TABLE imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE imports ADD COLUMN heartbeat INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN first_posting INTEGER;
ALTER TABLE imports ADD COLUMN last_posting INTEGER;
UPDATE imports SET first_posting = m.lo, last_posting = m.hi
  FROM (SELECT import_id, MIN(id) AS lo, MAX(id) AS hi FROM postings GROUP BY import_id) AS m
  WHERE m.import_id = imports.id;
CREATE UNIQUE INDEX imports_one_running ON imports (state) WHERE state = 'running';
