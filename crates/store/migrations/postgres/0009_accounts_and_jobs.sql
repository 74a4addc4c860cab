-- Accounts: organisations, users (argon2id password hashes), the cohorts a teacher teaches,
-- browser sessions and API tokens (only SHA-256 of their secrets), and published demand:
-- postings enterprises draft here, moderators approve, and students express interest in.
-- Times are Unix seconds (UTC).

CREATE TABLE orgs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    school_id BIGINT REFERENCES talent_schools(id)
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    person_id BIGINT REFERENCES talent_people(id),
    must_change BIGINT NOT NULL,
    disabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE teacher_cohorts (
    user_id BIGINT NOT NULL REFERENCES users(id),
    cohort_id BIGINT NOT NULL REFERENCES talent_cohorts(id),
    PRIMARY KEY (user_id, cohort_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);

CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT NOT NULL,
    salary TEXT NOT NULL,
    education TEXT NOT NULL,
    experience TEXT NOT NULL,
    openings BIGINT NOT NULL,
    platform_role TEXT,
    nice_role TEXT,
    skills TEXT NOT NULL,
    certifications TEXT NOT NULL,
    review_note TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    reviewed_by BIGINT REFERENCES users(id),
    published_at BIGINT,
    closed_at BIGINT,
    posting_id BIGINT REFERENCES postings(id)
);
CREATE INDEX jobs_org_idx ON jobs (org_id);
CREATE INDEX jobs_status_idx ON jobs (status);

CREATE TABLE job_interest (
    job_id BIGINT NOT NULL REFERENCES jobs(id),
    person_id BIGINT NOT NULL REFERENCES talent_people(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, person_id)
);
CREATE INDEX job_interest_person_idx ON job_interest (person_id);
