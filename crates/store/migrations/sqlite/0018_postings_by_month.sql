-- PostgreSQL partitions postings by month here (see its 0018). SQLite keeps
-- one table: a single file has no partitions, and its size is bounded by what
-- one machine imports. The migration is kept so both lists stay numbered alike.
SELECT 1;
