-- Speed, round two (bench/run):
-- * message bodies move out of the hot table into meiduo_outbox_bodies, written once and
--   deleted in the transaction that records the message sent: the queue's rows stay small and
--   a million sent rows fit in the buffer pool; a failed message keeps its body for a retry;
-- * the bind can hand its mail straight to a sender: the row is inserted already leased to a
--   claim the responder names, and the responder passes its id to a sender through a pipe,
--   so the sender never claims it (a hand-over that gets lost is claimed when the lease ends);
-- * the bind refuses new mail while the queue is too far behind, so it cannot grow unbounded;
-- * the throttle is read once per bind, not three times.
-- Rows queued before this keep their body in meiduo_outbox.message, which senders still read;
-- sent ones keep it until the retention deletes them. Senders of older versions cannot read
-- the new rows (they fail to claim them and leave them to upgraded ones).
CREATE TABLE IF NOT EXISTS meiduo_outbox_bodies (
    id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    message MEDIUMBLOB NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE meiduo_outbox MODIFY message MEDIUMBLOB NULL;

DELIMITER $$

-- As meiduo_bind_address (which instances not yet upgraded still call), plus:
-- * with lease_microseconds_in > 0 the verification row is inserted as held by claim_in for that
--   long (attempt 1 under way), for the caller to hand to a sender; with 0 it waits in the queue;
-- * when the oldest due message has waited more than max_lag_microseconds_in (0: no limit), nothing
--   is written and the outcome is 'busy', retry_after the seconds it has waited (at most 60).
-- Answers outcome, outbox_id, retry_after, held_by, handed_over (1: leased to claim_in).
CREATE OR REPLACE PROCEDURE meiduo_queue_address(
    IN user_id_in INT,
    IN email_in VARCHAR(254),
    IN message_id_in VARCHAR(255),
    IN message_in MEDIUMBLOB,
    IN address_interval_in INT,
    IN user_hourly_in INT,
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
    DECLARE last_to_address DATETIME(6) DEFAULT NULL;
    DECLARE sent_this_hour INT DEFAULT 0;
    DECLARE oldest_this_hour DATETIME(6) DEFAULT NULL;
    DECLARE address_wait INT DEFAULT 0;
    DECLARE user_wait INT DEFAULT 0;
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
        SELECT id INTO queued_before FROM meiduo_outbox WHERE request_id = request_id_in AND kind = 'verification';
    END IF;
    -- The first entry of the index on due_at: how long the oldest due message has waited.
    IF max_lag_microseconds_in > 0 THEN
        SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(due_at), now_at), 0) INTO lag_microseconds
        FROM meiduo_outbox WHERE due_at <= now_at;
    END IF;
    -- The throttle, read once: the last mail to the address and this hour's mails of the user.
    IF address_interval_in > 0 THEN
        SELECT MAX(created_at) INTO last_to_address FROM meiduo_outbox
        WHERE recipient = email_in AND kind = 'verification' AND created_at > now_at - INTERVAL address_interval_in SECOND;
    END IF;
    IF user_hourly_in > 0 THEN
        SELECT COUNT(*), MIN(created_at) INTO sent_this_hour, oldest_this_hour FROM meiduo_outbox
        WHERE user_id = user_id_in AND kind = 'verification' AND created_at > now_at - INTERVAL 1 HOUR;
    END IF;
    IF last_to_address IS NOT NULL THEN
        SET address_wait = CEIL((address_interval_in * 1000000 - TIMESTAMPDIFF(MICROSECOND, last_to_address, now_at)) / 1000000);
    END IF;
    IF user_hourly_in > 0 AND sent_this_hour >= user_hourly_in THEN
        SET user_wait = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, oldest_this_hour, now_at)) / 1000000);
    END IF;

    IF queued_before IS NOT NULL THEN
        -- The same request again: its mail is queued already.
        COMMIT;
        SELECT 'queued' AS outcome, queued_before AS outbox_id, GREATEST(address_wait, user_wait, 0) AS retry_after,
               NULL AS held_by, 0 AS handed_over;
    ELSEIF max_lag_microseconds_in > 0 AND lag_microseconds > max_lag_microseconds_in THEN
        ROLLBACK;
        SELECT 'busy' AS outcome, NULL AS outbox_id, LEAST(CEIL(lag_microseconds / 1000000), 60) AS retry_after, NULL AS held_by,
               0 AS handed_over;
    ELSEIF address_wait > 0 OR user_wait > 0 THEN
        ROLLBACK;
        SELECT 'throttled' AS outcome, NULL AS outbox_id, GREATEST(address_wait, user_wait) AS retry_after,
               IF(user_wait > address_wait, 'user', 'address') AS held_by, 0 AS handed_over;
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
        -- After this mail: the address waits its interval; the user, if this hour is now full,
        -- until the hour's oldest mail leaves the window.
        IF user_hourly_in > 0 AND sent_this_hour + 1 >= user_hourly_in THEN
            SET user_wait = CEIL((3600 * 1000000 - TIMESTAMPDIFF(MICROSECOND, COALESCE(oldest_this_hour, now_at), now_at)) / 1000000);
        END IF;
        SELECT 'queued' AS outcome, queued_id AS outbox_id, GREATEST(address_interval_in, user_wait, 0) AS retry_after,
               NULL AS held_by, IF(lease_microseconds_in > 0, 1, 0) AS handed_over;
    END IF;
END$$

DELIMITER ;
