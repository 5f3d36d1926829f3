-- Security, round two:
-- * failed logins, per account and per client address (as SHA-256 digests, never names or
--   addresses), for the login back-off;
-- * a kind per outbox row (the verification mail, or the notice to an old address), and the
--   request that queued it, so a retried request queues nothing twice;
-- * the address a user asked for while their verified one stays (EMAIL_RECONFIRMABLE);
-- * the bind as a procedure that answers a row: what happened, the outbox id, and how many
--   seconds until the next mail is allowed. The old procedure stays for instances not yet
--   upgraded during a rolling restart.
CREATE TABLE IF NOT EXISTS meiduo_login_failures (
    scope ENUM('account', 'address') NOT NULL,
    subject BINARY(32) NOT NULL,
    failed_at DATETIME(6) NOT NULL,
    KEY meiduo_login_failures_subject (scope, subject, failed_at),
    KEY meiduo_login_failures_time (failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE meiduo_outbox
    ADD COLUMN IF NOT EXISTS kind ENUM('verification', 'notice') NOT NULL DEFAULT 'verification' AFTER user_id,
    ADD COLUMN IF NOT EXISTS request_id VARCHAR(64) CHARACTER SET ascii NULL AFTER kind,
    ADD UNIQUE KEY IF NOT EXISTS meiduo_outbox_request (request_id, kind);

CREATE TABLE IF NOT EXISTS meiduo_pending_emails (
    user_id INT NOT NULL PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    requested_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

DELIMITER $$

-- Seconds until the throttle lets another verification mail go to `email_in` for `user_id_in`
-- (0: now), and which limit holds it back ('address' or 'user'). A zero interval or limit is
-- off. A procedure, not a function: creating functions needs more privileges on a server that
-- keeps a binary log.
CREATE OR REPLACE PROCEDURE meiduo_throttle_wait(
    IN user_id_in INT, IN email_in VARCHAR(254), IN address_interval_in INT, IN user_hourly_in INT, OUT wait_out INT,
    OUT limit_out VARCHAR(8))
    READS SQL DATA
BEGIN
    DECLARE last_to_address DATETIME(6) DEFAULT NULL;
    DECLARE sent_this_hour INT DEFAULT 0;
    DECLARE oldest_this_hour DATETIME(6) DEFAULT NULL;
    DECLARE address_wait INT DEFAULT 0;
    DECLARE user_wait INT DEFAULT 0;
    IF address_interval_in > 0 THEN
        SELECT MAX(created_at) INTO last_to_address FROM meiduo_outbox
        WHERE recipient = email_in AND kind = 'verification' AND created_at > NOW(6) - INTERVAL address_interval_in SECOND;
        IF last_to_address IS NOT NULL THEN
            SET address_wait = CEIL((address_interval_in * 1000000
                - TIMESTAMPDIFF(MICROSECOND, last_to_address, NOW(6))) / 1000000);
        END IF;
    END IF;
    IF user_hourly_in > 0 THEN
        SELECT COUNT(*), MIN(created_at) INTO sent_this_hour, oldest_this_hour FROM meiduo_outbox
        WHERE user_id = user_id_in AND kind = 'verification' AND created_at > NOW(6) - INTERVAL 1 HOUR;
        IF sent_this_hour >= user_hourly_in THEN
            SET user_wait = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, oldest_this_hour, NOW(6))) / 1000000);
        END IF;
    END IF;
    SET wait_out = GREATEST(address_wait, user_wait, 0);
    SET limit_out = IF(wait_out = 0, NULL, IF(user_wait > address_wait, 'user', 'address'));
END$$

-- Stores a user's new address and queues its verification mail, atomically, unless the
-- throttle says wait; answers one row (outcome 'queued' or 'throttled', the outbox id,
-- retry_after seconds, the limit that throttled it). The same request_id again answers the first call's row: a retried
-- request queues nothing twice. With reconfirmable_in, a verified address stays in tb_users
-- and the new one waits in meiduo_pending_emails until it is verified. When notice_to_in is
-- the user's verified address and the new one differs, the notice is queued too.
CREATE OR REPLACE PROCEDURE meiduo_bind_address(
    IN user_id_in INT,
    IN email_in VARCHAR(254),
    IN message_id_in VARCHAR(255),
    IN message_in MEDIUMBLOB,
    IN address_interval_in INT,
    IN user_hourly_in INT,
    IN request_id_in VARCHAR(64),
    IN reconfirmable_in TINYINT,
    IN notice_to_in VARCHAR(254),
    IN notice_id_in VARCHAR(255),
    IN notice_in MEDIUMBLOB)
    MODIFIES SQL DATA
BEGIN
    DECLARE current_email VARCHAR(254) DEFAULT NULL;
    DECLARE current_active TINYINT DEFAULT 0;
    DECLARE queued_before BIGINT UNSIGNED DEFAULT NULL;
    DECLARE wait_seconds INT DEFAULT 0;
    DECLARE held_by VARCHAR(8) DEFAULT NULL;
    DECLARE queued_id BIGINT UNSIGNED DEFAULT NULL;
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
        SELECT id INTO queued_before FROM meiduo_outbox WHERE request_id = request_id_in AND kind = 'verification';
    END IF;
    IF queued_before IS NOT NULL THEN
        COMMIT;
        CALL meiduo_throttle_wait(user_id_in, email_in, address_interval_in, user_hourly_in, wait_seconds, held_by);
        SELECT 'queued' AS outcome, queued_before AS outbox_id, wait_seconds AS retry_after, NULL AS held_by;
    ELSE
        CALL meiduo_throttle_wait(user_id_in, email_in, address_interval_in, user_hourly_in, wait_seconds, held_by);
        IF wait_seconds > 0 THEN
            ROLLBACK;
            SELECT 'throttled' AS outcome, NULL AS outbox_id, wait_seconds AS retry_after, held_by;
        ELSE
            IF reconfirmable_in AND current_active = 1 AND BINARY current_email <> email_in THEN
                INSERT INTO meiduo_pending_emails (user_id, email, requested_at) VALUES (user_id_in, email_in, NOW(6))
                ON DUPLICATE KEY UPDATE email = VALUES(email), requested_at = VALUES(requested_at);
            ELSE
                UPDATE tb_users SET email = email_in, email_active = 0 WHERE id = user_id_in;
                DELETE FROM meiduo_pending_emails WHERE user_id = user_id_in;
            END IF;
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, message, status, attempts, due_at, created_at)
            VALUES (user_id_in, 'verification', request_id_in, email_in, message_id_in, message_in, 'queued', 0, NOW(6), NOW(6));
            SET queued_id = LAST_INSERT_ID();
            IF notice_to_in IS NOT NULL AND current_active = 1 AND BINARY current_email = notice_to_in
               AND BINARY email_in <> current_email THEN
                INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, message, status, attempts, due_at, created_at)
                VALUES (user_id_in, 'notice', request_id_in, notice_to_in, notice_id_in, notice_in, 'queued', 0, NOW(6), NOW(6));
            END IF;
            CALL meiduo_throttle_wait(user_id_in, email_in, address_interval_in, user_hourly_in, wait_seconds, held_by);
            COMMIT;
            SELECT 'queued' AS outcome, queued_id AS outbox_id, wait_seconds AS retry_after, NULL AS held_by;
        END IF;
    END IF;
END$$

DELIMITER ;
