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

-- The credit ledger (src/state/ledger.h), added in schema version 2: a state file of version 1 gets these
-- tables on its next open (CREATE … IF NOT EXISTS), its other tables untouched. One row per calculation.
-- Amounts are decimal strings ("1234.50"); days are "YYYY-MM-DD"; decided_at and superseded_at NULL until then.
CREATE TABLE IF NOT EXISTS ledger (
  execution_id       TEXT PRIMARY KEY,
  request_key        TEXT NOT NULL,          -- "channel:ts"
  channel            TEXT NOT NULL DEFAULT '',
  ts                 TEXT NOT NULL DEFAULT '',
  reply_ts           TEXT NOT NULL DEFAULT '',
  requester          TEXT NOT NULL DEFAULT '',
  parent_account_sid TEXT NOT NULL DEFAULT '',
  product            TEXT NOT NULL DEFAULT '',
  fraud_start        TEXT,
  fraud_end          TEXT,
  cell_count         INTEGER NOT NULL DEFAULT 0,
  recommended_amount TEXT NOT NULL DEFAULT '',
  currency           TEXT NOT NULL DEFAULT 'USD',
  policy_name        TEXT NOT NULL DEFAULT '',
  policy_version     TEXT NOT NULL DEFAULT '',
  policy_sha256      TEXT NOT NULL DEFAULT '',
  dry_run            INTEGER NOT NULL DEFAULT 0,
  created_at         INTEGER NOT NULL,       -- unix microseconds: orders a recalculation after what it supersedes
  status             TEXT NOT NULL,          -- awaiting auto_approved approved rejected adjusted superseded
  final_amount       TEXT NOT NULL DEFAULT '',
  decided_by         TEXT NOT NULL DEFAULT '',
  decided_at         INTEGER,
  reason             TEXT NOT NULL DEFAULT '',
  superseded_by      TEXT NOT NULL DEFAULT '',
  superseded_at      INTEGER,
  reply_updated      INTEGER NOT NULL DEFAULT 0
);
-- ListLedger/CountLedger: newest first, filtered by at most a few of these; each filter has an index that
-- also gives the order, so a page of a large ledger reads only its rows.
CREATE INDEX IF NOT EXISTS ledger_by_created ON ledger (created_at, execution_id);
CREATE INDEX IF NOT EXISTS ledger_by_status ON ledger (status, created_at, execution_id);
CREATE INDEX IF NOT EXISTS ledger_by_parent ON ledger (parent_account_sid, created_at, execution_id);
CREATE INDEX IF NOT EXISTS ledger_by_product ON ledger (product, created_at, execution_id);
CREATE INDEX IF NOT EXISTS ledger_by_request ON ledger (request_key, created_at, execution_id);
-- Decisions recorded but not yet shown in Slack (read by every pass): a partial index, so the pass reads
-- only those, never the whole decided ledger. Its condition is repeated word for word by the store's query.
CREATE INDEX IF NOT EXISTS ledger_reply_pending ON ledger (created_at, execution_id)
  WHERE reply_updated = 0 AND status IN ('approved', 'rejected', 'adjusted');
-- The (day, account, service, MCC, MNC) cells an entry covers, in the entry's order (seq).
CREATE TABLE IF NOT EXISTS ledger_cells (
  execution_id TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  day          TEXT NOT NULL,
  account_sid  TEXT NOT NULL,
  service_sid  TEXT NOT NULL DEFAULT '',
  mcc          TEXT NOT NULL DEFAULT '',
  mnc          TEXT NOT NULL DEFAULT '',
  credited     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;
-- What each entry credited per country and per Fraud Guard mode (LedgerEntry::credited_by_country/_mode),
-- added with the dashboard's chart sums: a file without it gets it on its next open, its entries without rows.
CREATE TABLE IF NOT EXISTS ledger_breakdown (
  execution_id TEXT NOT NULL,
  kind         TEXT NOT NULL,              -- 'country' or 'mode'
  label        TEXT NOT NULL,
  credited     TEXT NOT NULL,              -- decimal string
  PRIMARY KEY (execution_id, kind, label)
) WITHOUT ROWID;
-- The dashboard's charts summed per UTC day of created_at (src/state/ledger_charts.h,
-- src/state/sqlite_ledger_charts.h), and per month for every series but the weekly ones (recommended,
-- approved), each keyed by the entry's product and status, so a chart filtered by dates, product and status
-- reads whole months and the days at its ends, never the entries. scope '' is the whole ledger; a parent
-- account with many entries (ledger_chart_parents.kept) has its own rows under its SID. Every ledger write
-- adds its entry's rows (a decision or supersession first takes the entry's old rows away) in the same
-- transaction. Rebuilt from the ledger on open when the 'rows' total or the parents' entry counts differ from
-- the ledger's row count (a file written before these tables, or entries recorded by an older creditbot);
-- the rebuild drops the unkeyed ledger_chart_days and ledger_chart_months of the previous layout.
CREATE TABLE IF NOT EXISTS ledger_chart_day_sums (
  scope   TEXT NOT NULL,                   -- '' or a parent account SID
  kind    TEXT NOT NULL,                   -- LedgerChartKind: rows entries recommended approved mcc country …
  day     TEXT NOT NULL,                   -- YYYY-MM-DD
  product TEXT NOT NULL,                   -- the entries' product
  status  TEXT NOT NULL,                   -- the entries' status
  label   TEXT NOT NULL,                   -- the MCC, country, mode or hours bucket; '' for the others
  value   INTEGER NOT NULL,                -- cents, or entries
  PRIMARY KEY (scope, kind, day, product, status, label)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_chart_month_sums (
  scope   TEXT NOT NULL,
  month   TEXT NOT NULL,                   -- YYYY-MM
  kind    TEXT NOT NULL,                   -- as ledger_chart_day_sums, but never recommended or approved
  product TEXT NOT NULL,
  status  TEXT NOT NULL,
  label   TEXT NOT NULL,
  value   INTEGER NOT NULL,
  PRIMARY KEY (scope, month, kind, product, status, label)
) WITHOUT ROWID;
-- Every parent account's ledger entry count ('' included); kept = 1 once its own chart sums are kept (from
-- SqliteStateStore::Open's parent_chart_sums_from entries on; a smaller parent's charts read its entries).
CREATE TABLE IF NOT EXISTS ledger_chart_parents (
  parent_account_sid TEXT PRIMARY KEY,
  entries            INTEGER NOT NULL,
  kept               INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- The pause switch (src/state/pause.h, `creditbot pause|resume`): at most one row (id 1), absent until the
-- store is first paused. While paused the store sets user_version 3 (sqlite_state_store.h says why).
CREATE TABLE IF NOT EXISTS pause (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  paused INTEGER NOT NULL,                 -- 1 paused, 0 resumed
  set_by TEXT NOT NULL DEFAULT '',         -- Slack user id of who paused or resumed
  set_at INTEGER NOT NULL,                 -- when, unix seconds
  reason TEXT NOT NULL DEFAULT ''          -- why it was paused ('' after a resume)
);
PRAGMA user_version = 2;
