-- Meiduo's user table: Django's AbstractUser columns plus mobile, email_active and
-- default_address_id, so an existing Meiduo database is used as it is (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS tb_users (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    password VARCHAR(128) NOT NULL,
    last_login DATETIME(6) NULL,
    is_superuser TINYINT(1) NOT NULL,
    username VARCHAR(150) NOT NULL,
    first_name VARCHAR(150) NOT NULL,
    last_name VARCHAR(150) NOT NULL,
    email VARCHAR(254) NOT NULL,
    is_staff TINYINT(1) NOT NULL,
    is_active TINYINT(1) NOT NULL,
    date_joined DATETIME(6) NOT NULL,
    mobile VARCHAR(11) NOT NULL,
    email_active TINYINT(1) NOT NULL,
    default_address_id INT NULL,
    UNIQUE KEY username (username),
    UNIQUE KEY mobile (mobile),
    KEY tb_users_default_address_id (default_address_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
