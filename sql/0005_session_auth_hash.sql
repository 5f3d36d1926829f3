-- Each session remembers the session auth hash of the password it was started under (as
-- Django's sessions do): a password change ends every session started before it. Rows from
-- before this column have none and no longer open anything: those users log in once more.
ALTER TABLE meiduo_sessions ADD COLUMN IF NOT EXISTS auth_hash BINARY(32) NULL;
