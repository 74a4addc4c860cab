-- Talent pool (人才库): schools, programs with their evaluation weights, cohorts, people
-- (least personal data: no national ID numbers), courses mapped to skills, and evidence.

CREATE TABLE talent_schools (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL
);

CREATE TABLE talent_programs (
    id BIGINT PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES talent_schools(id),
    name TEXT NOT NULL,
    w_school DOUBLE PRECISION NOT NULL,
    w_enterprise DOUBLE PRECISION NOT NULL,
    w_practice DOUBLE PRECISION NOT NULL,
    w_credential DOUBLE PRECISION NOT NULL,
    half_life_days DOUBLE PRECISION NOT NULL,
    required_level DOUBLE PRECISION NOT NULL,
    ready DOUBLE PRECISION NOT NULL,
    near_ready DOUBLE PRECISION NOT NULL,
    UNIQUE (school_id, name)
);

CREATE TABLE talent_cohorts (
    id BIGINT PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES talent_programs(id),
    name TEXT NOT NULL,
    entry_year BIGINT NOT NULL,
    UNIQUE (program_id, name)
);

CREATE TABLE talent_people (
    id BIGINT PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES talent_schools(id),
    program_id BIGINT NOT NULL REFERENCES talent_programs(id),
    cohort_id BIGINT REFERENCES talent_cohorts(id),
    name TEXT NOT NULL,
    student_number TEXT NOT NULL,
    graduation_year BIGINT NOT NULL,
    region TEXT NOT NULL,
    consent_enterprise BIGINT NOT NULL,
    consent_analytics BIGINT NOT NULL,
    synthetic BIGINT NOT NULL,
    UNIQUE (school_id, student_number)
);

CREATE TABLE talent_courses (
    id BIGINT PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES talent_programs(id),
    name TEXT NOT NULL,
    UNIQUE (program_id, name)
);

CREATE TABLE talent_course_skills (
    course_id BIGINT NOT NULL REFERENCES talent_courses(id),
    skill_id TEXT NOT NULL,
    target_level DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (course_id, skill_id)
);

CREATE TABLE talent_evidence (
    id BIGINT PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES talent_people(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    source_org TEXT NOT NULL,
    date TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    observations TEXT NOT NULL
);
CREATE INDEX talent_evidence_person_idx ON talent_evidence (person_id);
