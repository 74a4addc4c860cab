-- Accounts: organisations, users (argon2id password hashes), the cohorts a teacher teaches,
-- browser sessions and API tokens (only SHA-256 of their secrets), and published demand:
-- postings enterprises draft here, moderators approve, and students express interest in.
-- Times are Unix seconds (UTC).

CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    school_id INTEGER REFERENCES talent_schools(id)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    person_id INTEGER REFERENCES talent_people(id),
    must_change INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE teacher_cohorts (
    user_id INTEGER NOT NULL REFERENCES users(id),
    cohort_id INTEGER NOT NULL REFERENCES talent_cohorts(id),
    PRIMARY KEY (user_id, cohort_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    last_used_at INTEGER
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT NOT NULL,
    salary TEXT NOT NULL,
    education TEXT NOT NULL,
    experience TEXT NOT NULL,
    openings INTEGER NOT NULL,
    platform_role TEXT,
    nice_role TEXT,
    skills TEXT NOT NULL,
    certifications TEXT NOT NULL,
    review_note TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    reviewed_by INTEGER REFERENCES users(id),
    published_at INTEGER,
    closed_at INTEGER,
    posting_id INTEGER REFERENCES postings(id)
);
CREATE INDEX jobs_org_idx ON jobs (org_id);
CREATE INDEX jobs_status_idx ON jobs (status);

CREATE TABLE job_interest (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    person_id INTEGER NOT NULL REFERENCES talent_people(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, person_id)
);
CREATE INDEX job_interest_person_idx ON job_interest (person_id);
