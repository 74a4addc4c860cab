-- Posting imports: one row per imported file (by content hash), the postings, and the
-- link from each posting to every source record it was seen in (deduplication keeps them all).
-- No secondary indexes: a bulk import must not maintain them row by row, and indicators are
-- answered from rollups built after import, not from scans of this table.

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL UNIQUE,
    shape TEXT NOT NULL,
    source TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    postings_new INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE postings (
    id INTEGER NOT NULL PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    line INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    employer TEXT NOT NULL,
    employer_norm TEXT NOT NULL,
    title_norm TEXT NOT NULL,
    simhash INTEGER NOT NULL,
    location_raw TEXT NOT NULL,
    city TEXT,
    province TEXT,
    country TEXT,
    salary_raw TEXT NOT NULL,
    salary_currency TEXT,
    salary_period TEXT,
    salary_min REAL,
    salary_max REAL,
    monthly_min REAL,
    monthly_max REAL,
    yearly_min REAL,
    yearly_max REAL,
    months_per_year INTEGER,
    negotiable INTEGER NOT NULL,
    education TEXT,
    exp_min INTEGER,
    exp_max INTEGER,
    graduate INTEGER NOT NULL,
    headcount INTEGER,
    openings INTEGER NOT NULL,
    posted_at TEXT,
    url TEXT NOT NULL,
    tags TEXT NOT NULL,
    is_cyber INTEGER NOT NULL,
    nice_role TEXT,
    nice_conf REAL,
    nice_roles TEXT NOT NULL,
    platform_role TEXT,
    platform_conf REAL,
    skills TEXT NOT NULL,
    certifications TEXT NOT NULL
);

CREATE TABLE posting_sources (
    posting_id INTEGER NOT NULL REFERENCES postings(id),
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    line INTEGER NOT NULL,
    PRIMARY KEY (source, source_id, import_id)
);

