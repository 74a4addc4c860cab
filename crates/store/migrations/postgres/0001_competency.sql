-- cyberbridge schema 0001: competency model, external frameworks, audit log.
-- Kept in step with migrations/sqlite/0001_competency.sql; tests run both.

CREATE TABLE meta (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE nice_categories (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    sort BIGINT NOT NULL
);

CREATE TABLE nice_work_roles (
    id TEXT NOT NULL PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES nice_categories(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    opm_code TEXT,
    sort BIGINT NOT NULL
);

CREATE TABLE nice_competency_areas (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE nice_statements (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('task','knowledge','skill')),
    text TEXT NOT NULL
);

CREATE TABLE nice_role_statements (
    role_id TEXT NOT NULL REFERENCES nice_work_roles(id),
    statement_id TEXT NOT NULL REFERENCES nice_statements(id),
    PRIMARY KEY (role_id, statement_id)
);
CREATE INDEX nice_role_statements_statement_id_idx ON nice_role_statements (statement_id);

CREATE TABLE nice_area_statements (
    area_id TEXT NOT NULL REFERENCES nice_competency_areas(id),
    statement_id TEXT NOT NULL REFERENCES nice_statements(id),
    PRIMARY KEY (area_id, statement_id)
);

CREATE TABLE gbt_categories (
    id TEXT NOT NULL PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL
);

CREATE TABLE gbt_nice_crosswalk (
    gbt_id TEXT NOT NULL REFERENCES gbt_categories(id),
    nice_role_id TEXT NOT NULL REFERENCES nice_work_roles(id),
    status TEXT NOT NULL CHECK (status IN ('proposed','official')),
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (gbt_id, nice_role_id, source)
);

CREATE TABLE platform_roles (
    id TEXT NOT NULL PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    gbt_id TEXT NOT NULL REFERENCES gbt_categories(id)
);

CREATE TABLE platform_role_nice (
    role_id TEXT NOT NULL REFERENCES platform_roles(id),
    nice_role_id TEXT NOT NULL REFERENCES nice_work_roles(id),
    PRIMARY KEY (role_id, nice_role_id)
);

CREATE TABLE platform_role_variants (
    role_id TEXT NOT NULL REFERENCES platform_roles(id),
    variant TEXT NOT NULL,
    PRIMARY KEY (role_id, variant)
);

CREATE TABLE skill_domains (
    id TEXT NOT NULL PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE skills (
    id TEXT NOT NULL PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    kind TEXT NOT NULL,
    domain_id TEXT NOT NULL REFERENCES skill_domains(id)
);
CREATE INDEX skills_domain_id_idx ON skills (domain_id);

CREATE TABLE skill_aliases (
    skill_id TEXT NOT NULL REFERENCES skills(id),
    alias TEXT NOT NULL,
    PRIMARY KEY (skill_id, alias)
);

CREATE TABLE skill_nice_links (
    skill_id TEXT NOT NULL REFERENCES skills(id),
    target_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('curated','domain','phrase-match')),
    PRIMARY KEY (skill_id, target_id)
);
CREATE INDEX skill_nice_links_target_id_idx ON skill_nice_links (target_id);

CREATE TABLE skill_roles (
    skill_id TEXT NOT NULL REFERENCES skills(id),
    role_id TEXT NOT NULL REFERENCES platform_roles(id),
    relation TEXT NOT NULL CHECK (relation IN ('core','related')),
    PRIMARY KEY (skill_id, role_id)
);
CREATE INDEX skill_roles_role_id_idx ON skill_roles (role_id);

CREATE TABLE certifications (
    id TEXT NOT NULL PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    issuer_zh TEXT NOT NULL,
    issuer_en TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5)
);

CREATE TABLE certification_roles (
    cert_id TEXT NOT NULL REFERENCES certifications(id),
    role_id TEXT NOT NULL REFERENCES platform_roles(id),
    PRIMARY KEY (cert_id, role_id)
);

CREATE TABLE certification_aliases (
    cert_id TEXT NOT NULL REFERENCES certifications(id),
    alias TEXT NOT NULL,
    PRIMARY KEY (cert_id, alias)
);

CREATE TABLE proficiency_levels (
    level BIGINT NOT NULL PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    national_level_zh TEXT NOT NULL,
    national_level_en TEXT NOT NULL
);

CREATE TABLE external_frameworks (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    licence TEXT NOT NULL
);

CREATE TABLE external_roles (
    framework_id TEXT NOT NULL REFERENCES external_frameworks(id),
    role_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    grp TEXT NOT NULL,
    PRIMARY KEY (framework_id, role_id)
);

CREATE TABLE external_role_titles (
    framework_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (framework_id, role_id, title)
);

CREATE TABLE external_role_nice (
    framework_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    nice_role_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed','official')),
    source TEXT NOT NULL,
    PRIMARY KEY (framework_id, role_id, nice_role_id)
);
CREATE INDEX external_role_nice_nice_role_id_idx ON external_role_nice (nice_role_id);

CREATE TABLE external_elements (
    framework_id TEXT NOT NULL REFERENCES external_frameworks(id),
    element_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (framework_id, element_id)
);

CREATE TABLE external_role_elements (
    framework_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    element_id TEXT NOT NULL,
    PRIMARY KEY (framework_id, role_id, element_id)
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor);
