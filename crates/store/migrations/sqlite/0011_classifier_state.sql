-- Which classifier weights the stored postings were classified by. `version` is the weights
-- every posting was re-classified with; while a re-classification runs, `target` is the new
-- weights and `through_id` the last posting id already re-classified with them (each page is
-- committed with its cursor, so an interrupted run resumes where it stopped, on any node).
CREATE TABLE classifier_state (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    target TEXT NOT NULL,
    through_id BIGINT NOT NULL
);
