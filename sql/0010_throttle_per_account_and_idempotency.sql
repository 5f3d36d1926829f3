-- Security, round three:
-- * the address throttle counts one account's mail to an address, so another account can
--   neither keep an address throttled for it nor learn that someone asked for it; a cap on the
--   mail to one address across all accounts within an hour (address_hourly_in, 0: none) stops
--   anyone mail-bombing a stranger through many accounts;
-- * one throttle: meiduo_throttle_wait answers the wait now and the wait after one more mail, and
--   both the bind and the status call it;
-- * a retried request is the same user, request id and address, not the request id alone;
-- * binding the address that is already verified changes nothing (outcome 'unchanged'): the
--   verified state is only ever taken from an address by a change to another one, which sends
--   the notice and respects reconfirmable.
-- The parameters of meiduo_queue_address and meiduo_email_status change: stop every instance of
-- an earlier version before running this migration.
ALTER TABLE meiduo_outbox
    DROP INDEX IF EXISTS meiduo_outbox_request,
    ADD UNIQUE KEY meiduo_outbox_request (request_id, kind, user_id, recipient);

DROP PROCEDURE IF EXISTS meiduo_throttle_wait;
DROP PROCEDURE IF EXISTS meiduo_queue_address;
DROP PROCEDURE IF EXISTS meiduo_email_status;

DELIMITER $$

-- Seconds until the throttle lets another verification mail go from `user_id_in` to `email_in`
-- (0: now), which limit holds it back ('address', also for the cap across accounts, or 'user'),
-- and the seconds the next one would wait once one more mail went now. A zero interval or
-- limit is off.
CREATE PROCEDURE meiduo_throttle_wait(
    IN user_id_in INT, IN email_in VARCHAR(254), IN address_interval_in INT, IN user_hourly_in INT,
    IN address_hourly_in INT, IN now_in DATETIME(6), OUT wait_out INT, OUT limit_out VARCHAR(8), OUT after_out INT)
    READS SQL DATA
BEGIN
    DECLARE last_to_address DATETIME(6) DEFAULT NULL;
    DECLARE sent_this_hour INT DEFAULT 0;
    DECLARE oldest_this_hour DATETIME(6) DEFAULT NULL;
    DECLARE to_address_this_hour INT DEFAULT 0;
    DECLARE oldest_to_address DATETIME(6) DEFAULT NULL;
    DECLARE address_wait INT DEFAULT 0;
    DECLARE user_wait INT DEFAULT 0;
    DECLARE cap_wait INT DEFAULT 0;
    DECLARE user_after INT DEFAULT 0;
    DECLARE cap_after INT DEFAULT 0;
    IF address_interval_in > 0 THEN
        SELECT MAX(created_at) INTO last_to_address FROM meiduo_outbox
        WHERE user_id = user_id_in AND recipient = email_in AND kind = 'verification'
          AND created_at > now_in - INTERVAL address_interval_in SECOND;
        IF last_to_address IS NOT NULL THEN
            SET address_wait = CEIL((address_interval_in * 1000000 - TIMESTAMPDIFF(MICROSECOND, last_to_address, now_in)) / 1000000);
        END IF;
    END IF;
    IF user_hourly_in > 0 THEN
        SELECT COUNT(*), MIN(created_at) INTO sent_this_hour, oldest_this_hour FROM meiduo_outbox
        WHERE user_id = user_id_in AND kind = 'verification' AND created_at > now_in - INTERVAL 1 HOUR;
        IF sent_this_hour >= user_hourly_in THEN
            SET user_wait = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, oldest_this_hour, now_in)) / 1000000);
        END IF;
        IF sent_this_hour + 1 >= user_hourly_in THEN
            SET user_after = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, COALESCE(oldest_this_hour, now_in), now_in)) / 1000000);
        END IF;
    END IF;
    IF address_hourly_in > 0 THEN
        SELECT COUNT(*), MIN(created_at) INTO to_address_this_hour, oldest_to_address FROM meiduo_outbox
        WHERE recipient = email_in AND kind = 'verification' AND created_at > now_in - INTERVAL 1 HOUR;
        IF to_address_this_hour >= address_hourly_in THEN
            SET cap_wait = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, oldest_to_address, now_in)) / 1000000);
        END IF;
        IF to_address_this_hour + 1 >= address_hourly_in THEN
            SET cap_after = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, COALESCE(oldest_to_address, now_in), now_in)) / 1000000);
        END IF;
    END IF;
    SET wait_out = GREATEST(address_wait, user_wait, cap_wait, 0);
    SET limit_out = IF(wait_out = 0, NULL, IF(user_wait >= GREATEST(address_wait, cap_wait), 'user', 'address'));
    SET after_out = GREATEST(address_interval_in, user_after, cap_after, 0);
END$$

-- Stores a user's new address and queues its verification mail in one transaction, unless the
-- throttle says wait or the queue is too far behind. One row: outcome ('queued', 'unchanged',
-- 'throttled' or 'busy'), outbox_id, retry_after, held_by, handed_over (1: inserted leased to
-- claim_in, for the caller to hand to a sender; with lease_microseconds_in 0 it waits in the
-- queue). The same user, request id and address again answer the first call's row. With
-- reconfirmable_in a verified address stays and the new one waits in meiduo_pending_emails;
-- replacing a verified address queues the notice to it when notice_to_in names it.
CREATE PROCEDURE meiduo_queue_address(
    IN user_id_in INT,
    IN email_in VARCHAR(254),
    IN message_id_in VARCHAR(255),
    IN message_in MEDIUMBLOB,
    IN address_interval_in INT,
    IN user_hourly_in INT,
    IN address_hourly_in INT,
    -- In the column's character set: compared across sets, the column would be converted row
    -- by row and its index not used.
    IN request_id_in VARCHAR(64) CHARACTER SET ascii,
    IN reconfirmable_in TINYINT,
    IN notice_to_in VARCHAR(254),
    IN notice_id_in VARCHAR(255),
    IN notice_in MEDIUMBLOB,
    IN claim_in BIGINT UNSIGNED,
    IN lease_microseconds_in BIGINT,
    IN max_lag_microseconds_in BIGINT)
    MODIFIES SQL DATA
BEGIN
    DECLARE current_email VARCHAR(254) DEFAULT NULL;
    DECLARE current_active TINYINT DEFAULT 0;
    DECLARE queued_before BIGINT UNSIGNED DEFAULT NULL;
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
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, status, attempts, claim, due_at, created_at)
            VALUES (user_id_in, 'verification', request_id_in, email_in, message_id_in, 'sending', 1, claim_in,
                    now_at + INTERVAL lease_microseconds_in MICROSECOND, now_at);
        ELSE
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, status, attempts, due_at, created_at)
            VALUES (user_id_in, 'verification', request_id_in, email_in, message_id_in, 'queued', 0, now_at, now_at);
        END IF;
        SET queued_id = LAST_INSERT_ID();
        INSERT INTO meiduo_outbox_bodies (id, message) VALUES (queued_id, message_in);
        IF notice_to_in IS NOT NULL AND current_active = 1 AND BINARY current_email = notice_to_in
           AND BINARY email_in <> current_email THEN
            INSERT INTO meiduo_outbox (user_id, kind, request_id, recipient, message_id, status, attempts, due_at, created_at)
            VALUES (user_id_in, 'notice', request_id_in, notice_to_in, notice_id_in, 'queued', 0, now_at, now_at);
            INSERT INTO meiduo_outbox_bodies (id, message) VALUES (LAST_INSERT_ID(), notice_in);
        END IF;
        COMMIT;
        SELECT 'queued' AS outcome, queued_id AS outbox_id, wait_after AS retry_after, NULL AS held_by,
               IF(lease_microseconds_in > 0, 1, 0) AS handed_over;
    END IF;
END$$

-- One row: email, email_active, pending_email, then the newest verification mail to the address
-- being verified (the pending one if any): status, attempts, sent_at and due_at (Unix seconds),
-- error_kind (all NULL without one), then retry_after. No row when there is no such user.
CREATE PROCEDURE meiduo_email_status(IN user_id_in INT, IN address_interval_in INT, IN user_hourly_in INT, IN address_hourly_in INT)
    READS SQL DATA
BEGIN
    DECLARE current_email VARCHAR(254) DEFAULT NULL;
    DECLARE current_active TINYINT DEFAULT 0;
    DECLARE pending VARCHAR(254) DEFAULT NULL;
    DECLARE wait_seconds INT DEFAULT 0;
    DECLARE held_by VARCHAR(8) DEFAULT NULL;
    DECLARE wait_after INT DEFAULT 0;
    SELECT email, email_active INTO current_email, current_active FROM tb_users WHERE id = user_id_in;
    SELECT email INTO pending FROM meiduo_pending_emails WHERE user_id = user_id_in;
    IF current_email IS NOT NULL THEN
        CALL meiduo_throttle_wait(user_id_in, COALESCE(pending, current_email), address_interval_in, user_hourly_in,
                                  address_hourly_in, NOW(6), wait_seconds, held_by, wait_after);
        SELECT current_email AS email, current_active AS email_active, pending AS pending_email,
               o.status, o.attempts, CAST(UNIX_TIMESTAMP(o.sent_at) AS SIGNED) AS sent_at,
               CAST(UNIX_TIMESTAMP(o.due_at) AS SIGNED) AS due_at, o.error_kind, wait_seconds AS retry_after
        FROM (SELECT 1) AS one
        LEFT JOIN (SELECT status, attempts, sent_at, due_at, error_kind FROM meiduo_outbox
                   WHERE user_id = user_id_in AND kind = 'verification' AND BINARY recipient = COALESCE(pending, current_email)
                   ORDER BY id DESC LIMIT 1) AS o ON TRUE;
    END IF;
END$$

DELIMITER ;
