-- Ids of the talent pool come from the database: an import names the rows
-- it adds with provisional ids, and the store maps them to the ids the
-- database assigns. SQLite's INTEGER PRIMARY KEY columns already assign
-- them; nothing changes in this schema.
SELECT 1;
