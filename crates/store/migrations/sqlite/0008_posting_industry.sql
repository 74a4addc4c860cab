-- The employer's industry, where the file gives it (an indicator filter).
ALTER TABLE postings ADD COLUMN industry TEXT;
