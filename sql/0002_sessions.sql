-- Login sessions. The cookie carries a 256-bit random id; only its SHA-256 digest is stored,
-- so a copy of this table opens no session.
CREATE TABLE IF NOT EXISTS meiduo_sessions (
    id_digest BINARY(32) NOT NULL PRIMARY KEY,
    user_id INT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    KEY meiduo_sessions_user (user_id),
    KEY meiduo_sessions_expires (expires_at),
    CONSTRAINT meiduo_sessions_user_fk FOREIGN KEY (user_id) REFERENCES tb_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
