-- Chinese titles of the NICE categories and work roles (data/nice-names-zh.csv),
-- beside the competency areas' (0006).
ALTER TABLE nice_categories ADD COLUMN title_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE nice_work_roles ADD COLUMN title_zh TEXT NOT NULL DEFAULT '';
