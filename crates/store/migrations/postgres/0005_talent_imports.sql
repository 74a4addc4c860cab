-- Talent-pool file imports, by content hash (re-importing the same file is a no-op).
CREATE TABLE talent_imports (
    id BIGINT PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
