-- Talent pool (人才库): schools, programs with their evaluation weights, cohorts, people
-- (least personal data: no national ID numbers), courses mapped to skills, and evidence.

CREATE TABLE talent_schools (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL
);

CREATE TABLE talent_programs (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES talent_schools(id),
    name TEXT NOT NULL,
    w_school REAL NOT NULL,
    w_enterprise REAL NOT NULL,
    w_practice REAL NOT NULL,
    w_credential REAL NOT NULL,
    half_life_days REAL NOT NULL,
    required_level REAL NOT NULL,
    ready REAL NOT NULL,
    near_ready REAL NOT NULL,
    UNIQUE (school_id, name)
);

CREATE TABLE talent_cohorts (
    id INTEGER PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES talent_programs(id),
    name TEXT NOT NULL,
    entry_year INTEGER NOT NULL,
    UNIQUE (program_id, name)
);

CREATE TABLE talent_people (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES talent_schools(id),
    program_id INTEGER NOT NULL REFERENCES talent_programs(id),
    cohort_id INTEGER REFERENCES talent_cohorts(id),
    name TEXT NOT NULL,
    student_number TEXT NOT NULL,
    graduation_year INTEGER NOT NULL,
    region TEXT NOT NULL,
    consent_enterprise INTEGER NOT NULL,
    consent_analytics INTEGER NOT NULL,
    synthetic INTEGER NOT NULL,
    UNIQUE (school_id, student_number)
);

CREATE TABLE talent_courses (
    id INTEGER PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES talent_programs(id),
    name TEXT NOT NULL,
    UNIQUE (program_id, name)
);

CREATE TABLE talent_course_skills (
    course_id INTEGER NOT NULL REFERENCES talent_courses(id),
    skill_id TEXT NOT NULL,
    target_level REAL NOT NULL,
    PRIMARY KEY (course_id, skill_id)
);

CREATE TABLE talent_evidence (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES talent_people(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    source_org TEXT NOT NULL,
    date TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    observations TEXT NOT NULL
);
CREATE INDEX talent_evidence_person_idx ON talent_evidence (person_id);
