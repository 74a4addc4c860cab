-- One representation of an instant: Unix seconds (INTEGER), as every other
-- table already kept them; `imports`, `talent_imports` and `audit_log` kept
-- ISO text from a database default. The store now writes every instant from
-- its clock. Calendar dates (a posting's `posted_at`, a piece of evidence's
-- `date`) stay ISO dates, `YYYY-MM-DD`.
ALTER TABLE imports ADD COLUMN at_unix INTEGER NOT NULL DEFAULT 0;
UPDATE imports SET at_unix = CAST(strftime('%s', at) AS INTEGER);
ALTER TABLE imports DROP COLUMN at;
ALTER TABLE imports RENAME COLUMN at_unix TO at;

ALTER TABLE talent_imports ADD COLUMN at_unix INTEGER NOT NULL DEFAULT 0;
UPDATE talent_imports SET at_unix = CAST(strftime('%s', at) AS INTEGER);
ALTER TABLE talent_imports DROP COLUMN at;
ALTER TABLE talent_imports RENAME COLUMN at_unix TO at;

ALTER TABLE audit_log ADD COLUMN at_unix INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET at_unix = CAST(strftime('%s', at) AS INTEGER);
ALTER TABLE audit_log DROP COLUMN at;
ALTER TABLE audit_log RENAME COLUMN at_unix TO at;

-- List values as JSON arrays where they were space-joined text: a posting's
-- and a published job's skills and certifications (ids, `?`-suffixed when
-- only preferred), and a posting's NICE roles as [id, confidence] pairs.
-- (Quotes and backslashes are escaped first; none are expected in ids.)
UPDATE postings SET
    skills = CASE WHEN skills = '' THEN '[]' ELSE
        '["' || replace(replace(replace(skills, '\', '\\'), '"', '\"'), ' ', '","') || '"]' END,
    certifications = CASE WHEN certifications = '' THEN '[]' ELSE
        '["' || replace(replace(replace(certifications, '\', '\\'), '"', '\"'), ' ', '","') || '"]' END,
    nice_roles = CASE WHEN nice_roles = '' THEN '[]' ELSE
        '[["' || replace(replace(nice_roles, ':', '",'), ' ', '],["') || ']]' END;
UPDATE jobs SET
    skills = CASE WHEN skills = '' THEN '[]' ELSE
        '["' || replace(replace(replace(skills, '\', '\\'), '"', '\"'), ' ', '","') || '"]' END,
    certifications = CASE WHEN certifications = '' THEN '[]' ELSE
        '["' || replace(replace(replace(certifications, '\', '\\'), '"', '\"'), ' ', '","') || '"]' END;
