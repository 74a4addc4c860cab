-- A cohort's people (the heat map) without a scan of the whole talent pool.
CREATE INDEX talent_people_cohort_idx ON talent_people (cohort_id);
