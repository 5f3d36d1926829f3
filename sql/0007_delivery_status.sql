-- What became of a user's verification mail, for the user (GET /emails/status/):
-- * the kind of the last delivery error, recorded by the sender, so a plain reason can be
--   shown without ever showing raw SMTP text;
-- * one procedure answering, in one round trip, the address, its state, its newest
--   verification mail and the seconds until another may be sent.
ALTER TABLE meiduo_outbox
    ADD COLUMN IF NOT EXISTS error_kind ENUM('refused', 'temporary', 'connection', 'timeout', 'other') NULL AFTER last_error,
    ADD KEY IF NOT EXISTS meiduo_outbox_user_kind (user_id, kind, id);

DELIMITER $$

-- One row: email, email_active, pending_email, then the newest verification mail to the address
-- being verified (the pending one if any): status, attempts, sent_at and due_at (Unix seconds),
-- error_kind (all NULL without one), then retry_after. No row when there is no such user.
CREATE OR REPLACE PROCEDURE meiduo_email_status(IN user_id_in INT, IN address_interval_in INT, IN user_hourly_in INT)
    READS SQL DATA
BEGIN
    DECLARE current_email VARCHAR(254) DEFAULT NULL;
    DECLARE current_active TINYINT DEFAULT 0;
    DECLARE pending VARCHAR(254) DEFAULT NULL;
    DECLARE wait_seconds INT DEFAULT 0;
    DECLARE held_by VARCHAR(8) DEFAULT NULL;
    SELECT email, email_active INTO current_email, current_active FROM tb_users WHERE id = user_id_in;
    SELECT email INTO pending FROM meiduo_pending_emails WHERE user_id = user_id_in;
    IF current_email IS NOT NULL THEN
        CALL meiduo_throttle_wait(user_id_in, COALESCE(pending, current_email), address_interval_in, user_hourly_in, wait_seconds, held_by);
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
