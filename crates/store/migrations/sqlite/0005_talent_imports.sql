-- Talent-pool file imports, by content hash (re-importing the same file is a no-op).
CREATE TABLE talent_imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
