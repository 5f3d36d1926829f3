-- Failed mail found without reading the sent rows: meiduo_email_outbox_messages is scraped
-- every few seconds, and counting by status read the whole table (a million sent rows, each
-- scrape, pushing the hot pages out of the buffer pool). Unsent mail is in the index on due_at;
-- failed mail now in its own, on the time it failed, NULL for every other row (rows that only
-- move between queued, sending and sent never touch it).
-- Two statements: the column is added instantly, the index built in place; the table stays
-- writable throughout.
ALTER TABLE meiduo_outbox ADD COLUMN IF NOT EXISTS failed_at DATETIME(6) NULL AFTER sent_at;
ALTER TABLE meiduo_outbox ADD KEY IF NOT EXISTS meiduo_outbox_failed (failed_at);

-- Mail that failed before this: when is not recorded; its creation stands in. Read committed,
-- so the scan keeps no lock on the rows it passes (it applies to this statement alone).
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
UPDATE meiduo_outbox SET failed_at = created_at WHERE status = 'failed' AND failed_at IS NULL;
