-- One representation of an instant: Unix seconds (BIGINT), as every other
-- table already kept them; `imports`, `talent_imports` and `audit_log` kept
-- ISO text from a database default. The store now writes every instant from
-- its clock, so these columns have no default. Calendar dates (a posting's
-- `posted_at`, a piece of evidence's `date`) stay ISO dates, `YYYY-MM-DD`.
ALTER TABLE imports ALTER COLUMN at DROP DEFAULT;
ALTER TABLE imports ALTER COLUMN at TYPE BIGINT
    USING floor(EXTRACT(EPOCH FROM at::timestamptz))::BIGINT;
ALTER TABLE talent_imports ALTER COLUMN at DROP DEFAULT;
ALTER TABLE talent_imports ALTER COLUMN at TYPE BIGINT
    USING floor(EXTRACT(EPOCH FROM at::timestamptz))::BIGINT;
ALTER TABLE audit_log ALTER COLUMN at DROP DEFAULT;
ALTER TABLE audit_log ALTER COLUMN at TYPE BIGINT
    USING floor(EXTRACT(EPOCH FROM at::timestamptz))::BIGINT;

-- List values as arrays where they were space-joined text: a posting's and a
-- published job's skills and certifications as native arrays of ids
-- (`?`-suffixed when only preferred; SQLite keeps JSON arrays), and a
-- posting's NICE roles as [id, confidence] pairs (JSON).
ALTER TABLE postings ALTER COLUMN skills TYPE TEXT[] USING string_to_array(skills, ' ');
ALTER TABLE postings ALTER COLUMN certifications TYPE TEXT[]
    USING string_to_array(certifications, ' ');
ALTER TABLE postings ALTER COLUMN nice_roles TYPE JSONB
    USING (CASE WHEN nice_roles = '' THEN '[]'
           ELSE '[["' || replace(replace(nice_roles, ':', '",'), ' ', '],["') || ']]' END)::JSONB;
ALTER TABLE jobs ALTER COLUMN skills TYPE TEXT[] USING string_to_array(skills, ' ');
ALTER TABLE jobs ALTER COLUMN certifications TYPE TEXT[]
    USING string_to_array(certifications, ' ');
