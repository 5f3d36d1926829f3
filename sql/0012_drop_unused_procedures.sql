-- The schema as it is used today: the binds of 0004 and 0006 have had no caller since
-- meiduo_queue_address replaced them (0008, 0010).
DROP PROCEDURE IF EXISTS meiduo_bind_email;
DROP PROCEDURE IF EXISTS meiduo_bind_address;
