-- Faster queue work, measured by bench/run:
-- * a claim id per batch a sender takes, so one statement records a whole batch as sent and a
--   sender whose lease ran out cannot overwrite a newer claim;
-- * two indexes no query needs (every insert and status change paid for them);
-- * the email-change transaction as one procedure: one round trip instead of four.
ALTER TABLE meiduo_outbox
    ADD COLUMN IF NOT EXISTS claim BIGINT UNSIGNED NULL AFTER attempts,
    DROP INDEX IF EXISTS meiduo_outbox_status,
    DROP INDEX IF EXISTS meiduo_outbox_message_id;

DELIMITER $$

-- Stores a user's new, unverified address and queues its verification mail, atomically.
-- Throttled (SQLSTATE 45000, 'throttled'): nothing is written. A zero interval or limit is off.
CREATE OR REPLACE PROCEDURE meiduo_bind_email(
    IN user_id_in INT,
    IN email_in VARCHAR(254),
    IN message_id_in VARCHAR(255),
    IN message_in MEDIUMBLOB,
    IN address_interval_in INT,
    IN user_hourly_in INT)
    MODIFIES SQL DATA
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;
    START TRANSACTION;
    -- First, so the user's row is locked: a user's concurrent requests run one after the other
    -- and each sees the mail the others queued.
    UPDATE tb_users SET email = email_in, email_active = 0 WHERE id = user_id_in;
    -- Nested, not one condition: MariaDB evaluates every subquery of an expression.
    IF address_interval_in > 0 THEN
        IF EXISTS (SELECT 1 FROM meiduo_outbox
                   WHERE recipient = email_in AND created_at > NOW(6) - INTERVAL address_interval_in SECOND) THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'throttled';
        END IF;
    END IF;
    IF user_hourly_in > 0 THEN
        IF (SELECT COUNT(*) FROM meiduo_outbox
            WHERE user_id = user_id_in AND created_at > NOW(6) - INTERVAL 1 HOUR) >= user_hourly_in THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'throttled';
        END IF;
    END IF;
    INSERT INTO meiduo_outbox (user_id, recipient, message_id, message, status, attempts, due_at, created_at)
    VALUES (user_id_in, email_in, message_id_in, message_in, 'queued', 0, NOW(6), NOW(6));
    COMMIT;
END$$

DELIMITER ;
