-- A platform role's NICE work roles are ordered: the first is its primary role.
ALTER TABLE platform_role_nice ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
