-- The mail queue. A row is written in the same transaction as the email change, holding the
-- complete RFC 5322 message, so whatever sends it needs no templates and nothing is lost.
-- due_at is when a sender may next take the row: the retry time while queued, the lease
-- expiry while a sender holds it, NULL once it is sent or has failed for good.
CREATE TABLE IF NOT EXISTS meiduo_outbox (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT NOT NULL,
    recipient VARCHAR(254) NOT NULL,
    message_id VARCHAR(255) NOT NULL,
    message MEDIUMBLOB NOT NULL,
    status ENUM('queued', 'sending', 'sent', 'failed') NOT NULL DEFAULT 'queued',
    attempts INT UNSIGNED NOT NULL DEFAULT 0,
    due_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    sent_at DATETIME(6) NULL,
    last_error VARCHAR(1000) NULL,
    UNIQUE KEY meiduo_outbox_message_id (message_id),
    KEY meiduo_outbox_due (due_at),
    KEY meiduo_outbox_status (status),
    KEY meiduo_outbox_user_created (user_id, created_at),
    KEY meiduo_outbox_recipient_created (recipient, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
