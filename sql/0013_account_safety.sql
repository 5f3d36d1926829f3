-- Account safety beyond the usual:
-- * a session that confirmed the password (at a standalone login, or by a PUT /emails/ with
--   "password") may replace a verified address for MEIDUO_REAUTH_WINDOW; the service keeps the
--   confirmation itself, by a digest of the session key, never in the shop's session;
-- * each replacement of a verified address is a row the notice's "this wasn't me" link points
--   to (by the digest of the link's random id), undone at most once;
-- * each verification mail carries a 6-digit code, stored as a keyed hash with its expiry and
--   the wrong tries spent on it;
-- * wrong codes count per user in meiduo_login_failures (scope 'code').
-- meiduo_queue_address takes five more parameters: stop every instance of an earlier version
-- before running this migration.
CREATE TABLE IF NOT EXISTS meiduo_password_confirmations (
    session_digest BINARY(32) NOT NULL PRIMARY KEY,
    user_id INT NOT NULL,
    confirmed_at DATETIME(6) NOT NULL,
    KEY meiduo_password_confirmations_user (user_id, confirmed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS meiduo_address_changes (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    token_digest BINARY(32) NOT NULL,
    old_email VARCHAR(254) NOT NULL,
    new_email VARCHAR(254) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    undone_at DATETIME(6) NULL,
    UNIQUE KEY meiduo_address_changes_token (token_digest),
    KEY meiduo_address_changes_user (user_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE meiduo_outbox
    ADD COLUMN IF NOT EXISTS code_hash BINARY(32) NULL,
    ADD COLUMN IF NOT EXISTS code_expires_at DATETIME(6) NULL,
    ADD COLUMN IF NOT EXISTS code_tries TINYINT UNSIGNED NOT NULL DEFAULT 0;

ALTER TABLE meiduo_login_failures MODIFY scope ENUM('account', 'address', 'device', 'code') NOT NULL;

DROP PROCEDURE IF EXISTS meiduo_queue_address;

DELIMITER $$

-- Stores a user's new address and queues its verification mail in one transaction, unless the
-- throttle says wait, the queue is too far behind, or a verified address would be replaced by a
-- session that has not confirmed the password within reauth_window_in seconds (0: no such rule).
-- One row: outcome ('queued', 'unchanged', 'reauth', 'throttled' or 'busy'), outbox_id,
-- retry_after, held_by, handed_over (1: inserted leased to claim_in, for the caller to hand to a
-- sender; with lease_microseconds_in 0 it waits in the queue). The same user, request id and
-- address again answer the first call's row. With reconfirmable_in a verified address stays and
-- the new one waits in meiduo_pending_emails; replacing a verified address queues the notice to
-- it when notice_to_in names it, and records the change its undo link (change_digest_in) names.
CREATE PROCEDURE meiduo_queue_address(
    IN user_id_in INT,
    IN email_in VARCHAR(254),
    IN message_id_in VARCHAR(255),
    IN message_in MEDIUMBLOB,
    IN code_hash_in BINARY(32),
    IN code_lifetime_in INT,
    IN address_interval_in INT,
    IN user_hourly_in INT,
    IN address_hourly_in INT,
    -- In the column's character set: compared across sets, the column would be converted row
    -- by row and its index not used.
    IN request_id_in VARCHAR(64) CHARACTER SET ascii,
    IN session_digest_in BINARY(32),
    IN reauth_window_in INT,
    IN reconfirmable_in TINYINT,
    IN notice_to_in VARCHAR(254),
    IN notice_id_in VARCHAR(255),
    IN notice_in MEDIUMBLOB,
    IN change_digest_in BINARY(32),
    IN claim_in BIGINT UNSIGNED,
    IN lease_microseconds_in BIGINT,
    IN max_lag_microseconds_in BIGINT)
    MODIFIES SQL DATA
BEGIN
    DECLARE current_email VARCHAR(254) DEFAULT NULL;
    DECLARE current_active TINYINT DEFAULT 0;
    DECLARE queued_before BIGINT UNSIGNED DEFAULT NULL;
    DECLARE confirmed INT DEFAULT 1;
    DECLARE wait_seconds INT DEFAULT 0;
    DECLARE held_by VARCHAR(8) DEFAULT NULL;
    DECLARE wait_after INT DEFAULT 0;
    DECLARE queued_id BIGINT UNSIGNED DEFAULT NULL;
    DECLARE lag_microseconds BIGINT DEFAULT 0;
    DECLARE now_at DATETIME(6) DEFAULT NOW(6);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;
    START TRANSACTION;
    -- First, so the user's row is locked: a user's concurrent requests run one after the other
    -- and each sees the mail the others queued.
    SELECT email, email_active INTO current_email, current_active FROM tb_users WHERE id = user_id_in FOR UPDATE;
    IF request_id_in IS NOT NULL THEN
        SELECT id INTO queued_before FROM meiduo_outbox
        WHERE request_id = request_id_in AND kind = 'verification' AND user_id = user_id_in AND BINARY recipient = email_in;
    END IF;
    IF reauth_window_in > 0 AND current_active = 1 AND BINARY current_email <> email_in THEN
        SELECT COUNT(*) INTO confirmed FROM meiduo_password_confirmations
        WHERE session_digest = session_digest_in AND user_id = user_id_in
          AND confirmed_at > now_at - INTERVAL reauth_window_in SECOND;
    END IF;
    -- The first entry of the index on due_at: how long the oldest due message has waited.
    IF max_lag_microseconds_in > 0 THEN
        SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(due_at), now_at), 0) INTO lag_microseconds
        FROM meiduo_outbox WHERE due_at <= now_at;
    END IF;
    CALL meiduo_throttle_wait(user_id_in, email_in, address_interval_in, user_hourly_in, address_hourly_in, now_at,
                              wait_seconds, held_by, wait_after);

    IF queued_before IS NOT NULL THEN
        -- The same request again: its mail is queued already.
        COMMIT;
        SELECT 'queued' AS outcome, queued_before AS outbox_id, wait_seconds AS retry_after, NULL AS held_by, 0 AS handed_over;
    ELSEIF current_active = 1 AND BINARY current_email = email_in THEN
        -- The verified address itself: nothing to verify, nothing to change.
        COMMIT;
        SELECT 'unchanged' AS outcome, NULL AS outbox_id, wait_seconds AS retry_after, NULL AS held_by, 0 AS handed_over;
    ELSEIF confirmed = 0 THEN
        ROLLBACK;
        SELECT 'reauth' AS outcome, NULL AS outbox_id, 0 AS retry_after, NULL AS held_by, 0 AS handed_over;
    ELSEIF max_lag_microseconds_in > 0 AND lag_microseconds > max_lag_microseconds_in THEN
        ROLLBACK;
        SELECT 'busy' AS outcome, NULL AS outbox_id, LEAST(CEIL(lag_microseconds / 1000000), 60) AS retry_after, NULL AS held_by,
               0 AS handed_over;
    ELSEIF wait_seconds > 0 THEN
        ROLLBACK;
        SELECT 'throttled' AS outcome, NULL AS outbox_id, wait_seconds AS retry_after, held_by, 0 AS handed_over;
    ELSE
        IF reconfirmable_in AND current_active = 1 AND BINARY current_email <> email_in THEN
            INSERT INTO meiduo_pending_emails (user_id, email, requested_at) VALUES (user_id_in, email_in, now_at)
            ON DUPLICATE KEY UPDATE email = VALUES(email), requested_at = VALUES(requested_at);
        ELSE
            UPDATE tb_users SET email = email_in, email_active = 0 WHERE id = user_id_in;
            DELETE FROM meiduo_pending_emails WHERE user_id = user_id_in;
        END IF;
        IF lease_microseconds_in > 0 THEN
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, status, attempts, claim, due_at, created_at,
                                       code_hash, code_expires_at)
            VALUES (user_id_in, 'verification', request_id_in, email_in, message_id_in, 'sending', 1, claim_in,
                    now_at + INTERVAL lease_microseconds_in MICROSECOND, now_at, code_hash_in, now_at + INTERVAL code_lifetime_in SECOND);
        ELSE
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, status, attempts, due_at, created_at,
                                       code_hash, code_expires_at)
            VALUES (user_id_in, 'verification', request_id_in, email_in, message_id_in, 'queued', 0, now_at, now_at,
                    code_hash_in, now_at + INTERVAL code_lifetime_in SECOND);
        END IF;
        SET queued_id = LAST_INSERT_ID();
        INSERT INTO meiduo_outbox_bodies (id, message) VALUES (queued_id, message_in);
        IF notice_to_in IS NOT NULL AND current_active = 1 AND BINARY current_email = notice_to_in
           AND BINARY email_in <> current_email THEN
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, status, attempts, due_at, created_at)
            VALUES (user_id_in, 'notice', request_id_in, notice_to_in, notice_id_in, 'queued', 0, now_at, now_at);
            INSERT INTO meiduo_outbox_bodies (id, message) VALUES (LAST_INSERT_ID(), notice_in);
            INSERT INTO meiduo_address_changes (user_id, token_digest, old_email, new_email, created_at)
            VALUES (user_id_in, change_digest_in, current_email, email_in, now_at);
        END IF;
        COMMIT;
        SELECT 'queued' AS outcome, queued_id AS outbox_id, wait_after AS retry_after, NULL AS held_by,
               IF(lease_microseconds_in > 0, 1, 0) AS handed_over;
    END IF;
END$$

DELIMITER ;
