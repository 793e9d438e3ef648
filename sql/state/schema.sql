-- The SQLite state store (src/state/sqlite_state_store.cc). Times are Unix seconds (UTC).
-- Applied on every open; each statement is idempotent. user_version records the schema version.
CREATE TABLE IF NOT EXISTS requests (
  request_key   TEXT PRIMARY KEY,          -- "channel:ts"
  channel       TEXT NOT NULL,
  ts            TEXT NOT NULL,
  status        TEXT NOT NULL,             -- claimed replied asked ignored skipped refused failed rejected deleted
  attempts      INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  next_retry_at INTEGER,                   -- failed: when to try again; NULL = final
  lease_until   INTEGER,                   -- claimed: until when the claim holds
  lease_holder  TEXT,
  dry_run       INTEGER NOT NULL DEFAULT 0,
  outcome       TEXT NOT NULL DEFAULT '',
  detail        TEXT NOT NULL DEFAULT '',
  reply_ts      TEXT NOT NULL DEFAULT '',
  execution_id  TEXT NOT NULL DEFAULT '',
  product       TEXT NOT NULL DEFAULT '',
  credit_amount TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_by_status ON requests (status, updated_at);

CREATE TABLE IF NOT EXISTS leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
-- Small named values kept between passes (a channel's history watermark: "slack_history:C123" → ts).
CREATE TABLE IF NOT EXISTS cursors (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
PRAGMA user_version = 1;
