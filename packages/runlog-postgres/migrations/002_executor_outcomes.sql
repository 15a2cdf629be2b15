-- 002: the outcomes of the thread and process executors.
--
-- A run whose worker thread or child process ended before the job did is `crashed`; one killed
-- for passing its memory cap is `out_of_memory`. Widens the outcome check of 001 (PostgreSQL named
-- it run_log_outcome_check); rows already stored are unchanged.
ALTER TABLE run_log DROP CONSTRAINT IF EXISTS run_log_outcome_check;
ALTER TABLE run_log ADD CONSTRAINT run_log_outcome_check
  CHECK (outcome IN ('succeeded', 'failed', 'timed_out', 'aborted', 'crashed', 'out_of_memory', 'skipped', 'missed'));
