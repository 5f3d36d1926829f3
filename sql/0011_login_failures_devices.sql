-- Security, round three: the login back-off
-- * counts, besides accounts and client addresses, the failures of a device that has logged in
--   to the account before (its signed device cookie): such a device is held back by its own
--   failures only, never by others' (OWASP's device cookies);
-- * records an attempt before its password is checked, each row with an id that orders the
--   attempts, so parallel attempts cannot all pass the check before any is recorded.
ALTER TABLE meiduo_login_failures
    ADD COLUMN IF NOT EXISTS id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST,
    MODIFY scope ENUM('account', 'address', 'device') NOT NULL;
