-- 001: the run_log table and the indexes its queries use.
--
-- Runs inside the migration transaction with search_path set to the configured schema, so names
-- are unqualified. Times are timestamptz (stored as UTC microseconds; records carry whole ms).
--
-- Indexes, one per query shape (every list is newest first with keyset paging on (time, run_id)):
--   run_log_finished_idx      (finished_at, run_id)             no filter, time range; retention
--   run_log_job_finished_idx  (job_id, finished_at, run_id)     one job
--   run_log_owner_finished_idx (owner, finished_at, run_id)     one plugin's jobs
--   run_log_outcome_finished_idx (outcome, finished_at, run_id) failures across jobs; partial: not
--                             succeeded rows (most rows succeed; `outcome: succeeded` reads the time index)
--   run_log_scheduled_idx     (scheduled_at, run_id)            timeField scheduledAt
--   run_log_job_scheduled_idx (job_id, scheduled_at, run_id)    one job's occurrences
-- A B-tree is read backwards for "newest first", so ascending indexes serve descending scans.

CREATE TABLE run_log (
  run_id         uuid             PRIMARY KEY,
  job_id         text             NOT NULL,
  owner          text             NOT NULL,
  outcome        text             NOT NULL
                 CHECK (outcome IN ('succeeded', 'failed', 'timed_out', 'aborted', 'skipped', 'missed')),
  scheduled_at   timestamptz      NOT NULL,
  started_at     timestamptz,
  finished_at    timestamptz      NOT NULL,
  duration_ms    double precision CHECK (duration_ms >= 0),
  attempts       integer          NOT NULL CHECK (attempts >= 0),
  occurrences    integer          NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
  error_message  text,
  error_stack    text,
  manual         boolean          NOT NULL DEFAULT false,
  requested_by   text,
  process        text,
  result         jsonb,
  result_omitted text             CHECK (result_omitted IN ('too_large', 'not_serializable')),
  CHECK ((started_at IS NULL) = (duration_ms IS NULL))
);

CREATE INDEX run_log_finished_idx ON run_log (finished_at, run_id);
CREATE INDEX run_log_job_finished_idx ON run_log (job_id, finished_at, run_id);
CREATE INDEX run_log_owner_finished_idx ON run_log (owner, finished_at, run_id);
CREATE INDEX run_log_outcome_finished_idx ON run_log (outcome, finished_at, run_id) WHERE outcome <> 'succeeded';
CREATE INDEX run_log_scheduled_idx ON run_log (scheduled_at, run_id);
CREATE INDEX run_log_job_scheduled_idx ON run_log (job_id, scheduled_at, run_id);

COMMENT ON TABLE run_log IS 'xcore run log: one row per finished run (see @xcore/runlog-postgres README)';
