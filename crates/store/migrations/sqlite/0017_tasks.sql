-- Background work: imports queued by any node and run by whichever worker
-- claims them first (a `serve` node's own workers or a `cyberbridge worker`
-- process). `state`: queued, running, done or failed. A running task's
-- `heartbeat` (Unix seconds) says its worker is alive; a task whose worker
-- stopped beating is claimed again (`attempts` counts the claims). `spec` is
-- what to run (JSON, written and read by cb-app), `result` what it gave
-- (JSON), `error_code`/`error` why it failed. The uploaded file waits in
-- `task_files` until the task is finished. Times are Unix seconds.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    org_id INTEGER,
    user_id INTEGER,
    queued_by TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    heartbeat INTEGER NOT NULL DEFAULT 0,
    done_units INTEGER NOT NULL DEFAULT 0,
    total_units INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    error_code TEXT,
    error TEXT,
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX tasks_open ON tasks (id) WHERE state IN ('queued', 'running');
CREATE INDEX tasks_of_org ON tasks (org_id, id);
CREATE TABLE task_files (
    task_id INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    content BLOB NOT NULL
);
