-- What changed, for the caches every node keeps (the catalog, the demand and
-- supply indexes, the profile engines): each write that affects one appends a
-- row in its own transaction; every node reads the rows after the last it
-- applied. `kind`: `model` (reference data), `postings` (re-classified),
-- `talent` (schools, programs, courses or many people at once), `person`
-- (`subject` is the person). `at` in Unix seconds; old rows are pruned.
CREATE TABLE changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    subject BIGINT,
    at BIGINT NOT NULL
);
