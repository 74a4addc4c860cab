-- The skills each certificate shows (data/certification-skills.csv), so a
-- certificate imported into the talent pool becomes evidence per skill.
CREATE TABLE certification_skills (
    cert_id TEXT NOT NULL REFERENCES certifications(id),
    skill_id TEXT NOT NULL REFERENCES skills(id),
    PRIMARY KEY (cert_id, skill_id)
);
CREATE INDEX certification_skills_skill_id_idx ON certification_skills (skill_id);

-- Chinese titles of the NICE competency areas (data/nice-competency-areas-zh.csv).
ALTER TABLE nice_competency_areas ADD COLUMN title_zh TEXT NOT NULL DEFAULT '';
