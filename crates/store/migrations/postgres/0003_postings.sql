-- Posting imports: one row per imported file (by content hash), the postings, and the
-- link from each posting to every source record it was seen in (deduplication keeps them all).
-- No secondary indexes: a bulk import must not maintain them row by row, and indicators are
-- answered from rollups built after import, not from scans of this table.

CREATE TABLE imports (
    id BIGINT PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL UNIQUE,
    shape TEXT NOT NULL,
    source TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    postings_new BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);

CREATE TABLE postings (
    id BIGINT NOT NULL PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    line BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    employer TEXT NOT NULL,
    employer_norm TEXT NOT NULL,
    title_norm TEXT NOT NULL,
    simhash BIGINT NOT NULL,
    location_raw TEXT NOT NULL,
    city TEXT,
    province TEXT,
    country TEXT,
    salary_raw TEXT NOT NULL,
    salary_currency TEXT,
    salary_period TEXT,
    salary_min DOUBLE PRECISION,
    salary_max DOUBLE PRECISION,
    monthly_min DOUBLE PRECISION,
    monthly_max DOUBLE PRECISION,
    yearly_min DOUBLE PRECISION,
    yearly_max DOUBLE PRECISION,
    months_per_year BIGINT,
    negotiable BIGINT NOT NULL,
    education TEXT,
    exp_min BIGINT,
    exp_max BIGINT,
    graduate BIGINT NOT NULL,
    headcount BIGINT,
    openings BIGINT NOT NULL,
    posted_at TEXT,
    url TEXT NOT NULL,
    tags TEXT NOT NULL,
    is_cyber BIGINT NOT NULL,
    nice_role TEXT,
    nice_conf DOUBLE PRECISION,
    nice_roles TEXT NOT NULL,
    platform_role TEXT,
    platform_conf DOUBLE PRECISION,
    skills TEXT NOT NULL,
    certifications TEXT NOT NULL
);

CREATE TABLE posting_sources (
    posting_id BIGINT NOT NULL REFERENCES postings(id),
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    line BIGINT NOT NULL,
    PRIMARY KEY (source, source_id, import_id)
);

