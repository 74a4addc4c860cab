-- Failed attempts (sign-ins per client address and per account, wrong current
-- passwords per user), counted in the database so every node sees the same
-- counts. A row is reset when its window has passed.
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
