-- The warehouse schema of CREDIT_POLICY.md "Input 2", in SQLite types: the embedded default's synthetic
-- warehouse (src/synth/synthetic_warehouse.cc creates it from this file) and the shape every follow-up
-- query in sql/sqlite/ reads. A real warehouse maps onto these names in its own sql/<dialect>/ files.
--
-- Conventions: SIDs and codes are TEXT (MCC/MNC keep their leading zeros); money is REAL rounded to at most
-- 5 decimals (fraud reports sum it with ROUND(SUM(x), 5) so the sums come out exact); timestamps are TEXT
-- 'YYYY-MM-DD HH:MM:SS' in UTC; dates are TEXT 'YYYY-MM-DD'; intervals are half-open [effective_from,
-- effective_to) with NULL effective_to meaning "still in force"; booleans are INTEGER 0/1.
--
-- The generator runs the CREATE TABLE statements first, loads the data, then the CREATE INDEX statements.

CREATE TABLE accounts (
  account_sid        TEXT NOT NULL PRIMARY KEY,
  parent_account_sid TEXT NOT NULL,  -- = account_sid for a parent
  friendly_name      TEXT,
  status             TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed'))
);

CREATE TABLE verify_services (
  service_sid         TEXT NOT NULL PRIMARY KEY,
  account_sid         TEXT NOT NULL,
  friendly_name       TEXT,
  custom_code_enabled INTEGER NOT NULL CHECK (custom_code_enabled IN (0, 1)),
  api_version         TEXT NOT NULL CHECK (api_version IN ('verify_v2', 'authy_v1'))
);

CREATE TABLE fraud_guard_settings_history (
  service_sid     TEXT NOT NULL,
  account_sid     TEXT NOT NULL,
  protection_mode TEXT NOT NULL CHECK (protection_mode IN ('off', 'basic', 'standard', 'max')),
  effective_from  TEXT NOT NULL,
  effective_to    TEXT,
  PRIMARY KEY (service_sid, effective_from)
);

CREATE TABLE geo_permissions_history (
  account_sid    TEXT NOT NULL,
  iso_country    TEXT NOT NULL,
  channel        TEXT NOT NULL CHECK (channel IN ('sms', 'call')),
  permission     TEXT NOT NULL CHECK (permission IN ('disable', 'allow', 'monitor')),
  effective_from TEXT NOT NULL,
  effective_to   TEXT,
  PRIMARY KEY (account_sid, iso_country, channel, effective_from)
);

CREATE TABLE provider_costs (
  mcc              TEXT NOT NULL,
  mnc              TEXT,           -- NULL = every network of the MCC
  cost_usd_per_sms REAL NOT NULL CHECK (cost_usd_per_sms >= 0),
  effective_from   TEXT NOT NULL,  -- date
  effective_to     TEXT            -- date, exclusive; NULL = still in force
);

CREATE TABLE block_rates (
  protection_mode TEXT NOT NULL CHECK (protection_mode IN ('basic', 'standard', 'max', 'on')),  -- on: SMS Pumping Protection
  mcc             TEXT NOT NULL,
  block_rate      REAL NOT NULL CHECK (block_rate >= 0 AND block_rate <= 1),
  PRIMARY KEY (protection_mode, mcc)
);

CREATE TABLE mrr_monthly (
  parent_account_sid TEXT NOT NULL,
  month              TEXT NOT NULL,  -- first day of the month
  mrr_usd            REAL NOT NULL,
  PRIMARY KEY (parent_account_sid, month)
);

CREATE TABLE credits_issued (
  parent_account_sid TEXT NOT NULL,
  product            TEXT NOT NULL,  -- 'verify', 'psms'
  created_at         TEXT NOT NULL,
  credit_amount      REAL NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'issued', 'rejected'))
);

-- Attempt-level data the fraud reports aggregate. A blocked attempt has status 'blocked', an error code
-- (60410 Fraud Guard, 60605 Geo Permissions), a block_reason and price 0. The attempt_sid uniqueness index
-- is built after loading (below), which is much faster than keeping a primary key up to date row by row.
CREATE TABLE verification_attempts (
  attempt_sid       TEXT NOT NULL,
  account_sid       TEXT NOT NULL,
  service_sid       TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  channel           TEXT NOT NULL,  -- 'sms', 'call', …
  to_country        TEXT NOT NULL,
  mcc               TEXT,
  mnc               TEXT,
  status            TEXT NOT NULL,  -- 'delivered', 'undelivered', 'sent', 'failed', 'blocked'
  error_code        INTEGER,
  block_reason      TEXT,           -- NULL, 'fraud_guard', 'geo_permissions'
  conversion_status TEXT NOT NULL CHECK (conversion_status IN ('converted', 'unconverted')),
  price_usd         REAL NOT NULL
);

-- Programmable Messaging (policy/messaging.toml). SMS Pumping Protection is one switch per account, off or
-- on; its intervals as in fraud_guard_settings_history.
CREATE TABLE sms_pumping_protection_history (
  account_sid     TEXT NOT NULL,
  protection_mode TEXT NOT NULL CHECK (protection_mode IN ('off', 'on')),
  effective_from  TEXT NOT NULL,
  effective_to    TEXT,
  PRIMARY KEY (account_sid, effective_from)
);

-- Message-level data the messaging fraud reports aggregate (sample look 201). A message blocked by SMS
-- Pumping Protection has status 'failed', error code 30450 and price 0.
CREATE TABLE messages (
  message_sid           TEXT NOT NULL,
  account_sid           TEXT NOT NULL,
  messaging_service_sid TEXT,
  created_at            TEXT NOT NULL,
  to_country            TEXT NOT NULL,
  mcc                   TEXT,
  mnc                   TEXT,
  status                TEXT NOT NULL,  -- 'delivered', 'undelivered', 'sent', 'failed'
  error_code            INTEGER,
  price_usd             REAL NOT NULL
);

-- Indexes for the follow-up queries (sql/sqlite/*.sql) and the fraud reports.
CREATE UNIQUE INDEX verification_attempts_by_sid ON verification_attempts (attempt_sid);
CREATE INDEX verification_attempts_by_account_time ON verification_attempts (account_sid, created_at);
CREATE INDEX accounts_by_parent ON accounts (parent_account_sid);
CREATE INDEX verify_services_by_account ON verify_services (account_sid);
CREATE INDEX fraud_guard_settings_history_by_account ON fraud_guard_settings_history (account_sid);
CREATE INDEX provider_costs_by_mcc ON provider_costs (mcc, mnc, effective_from);
CREATE INDEX block_rates_by_mcc ON block_rates (mcc);
CREATE INDEX credits_issued_by_parent ON credits_issued (parent_account_sid, product, created_at);
CREATE UNIQUE INDEX messages_by_sid ON messages (message_sid);
CREATE INDEX messages_by_account_time ON messages (account_sid, created_at);
