-- Students' requests to correct their records (a wrong grade, evidence that is not theirs),
-- resolved by their school's admin or an operator: accepted (the evidence is removed) or
-- dismissed with a response. Times are Unix seconds (UTC).

CREATE TABLE talent_corrections (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES talent_people(id),
    evidence_id INTEGER,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_by INTEGER REFERENCES users(id),
    resolved_at INTEGER
);
CREATE INDEX talent_corrections_person_idx ON talent_corrections (person_id);
