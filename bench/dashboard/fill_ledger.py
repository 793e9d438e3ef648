#!/usr/bin/env python3
"""Fills a creditbot SQLite state file with N generated ledger entries for the dashboard benchmark.

Usage: fill_ledger.py STATE_DB N [AWAITING]

The file must already have creditbot's schema (any creditbot command that opens the store creates it, e.g.
`creditbot pause --status`; ledger_breakdown is created here when a creditbot older than it made the file). The entries are written straight into the `ledger`, `ledger_cells` and
`ledger_breakdown` tables (sql/state/schema.sql), as creditbot records them, but not through creditbot:
the per-day chart sums (`ledger_chart_days`) are then missing for them, and the next creditbot that opens
the file rebuilds them from the ledger (SqliteStateStore::RebuildChartDaysIfStale) -- the same path a file
written by an older creditbot takes. A creditbot older than the chart sums ignores the extra tables.

What is generated (fixed seed, so every run writes the same ledger):
  - N entries over the 730 days before 2026-12-01, products verify / messaging, 500 parent accounts
    (ACbench000-499) and one large one, ACbench500, with 30 % of the entries (30,000 of 100,000: the
    dashboard's charts for a parent with tens of thousands of entries);
  - AWAITING of them (default 2,000) awaiting a decision, spread over the last 60 days; of the rest about
    3 % superseded, 5 % rejected, 3 % adjusted, 30 % approved, the others auto-approved;
  - 1 to 6 cells each (MCCs of 24 countries), the credit split over them, and the country and Fraud Guard
    mode sums the pipeline records (four modes, each present);
  - the request asked 1 minute to 3 hours before its entry, decided 30 minutes to 4 days after it.
"""
import random
import sqlite3
import sys

COUNTRIES = [("410", "PK"), ("470", "BD"), ("434", "UZ"), ("621", "NG"), ("639", "KE"), ("602", "EG"),
             ("404", "IN"), ("510", "ID"), ("515", "PH"), ("452", "VN"), ("520", "TH"), ("502", "MY"),
             ("724", "BR"), ("334", "MX"), ("732", "CO"), ("716", "PE"), ("250", "RU"), ("255", "UA"),
             ("286", "TR"), ("420", "SA"), ("424", "AE"), ("432", "IR"), ("413", "LK"), ("429", "NP")]
MODES = ["off", "basic", "standard", "max"]
END_US = 1796083200 * 1_000_000  # 2026-12-01T00:00:00Z
DAY_US = 86400 * 1_000_000


def cents(value):
    return "%d.%02d" % (value // 100, value % 100)


def split(total, parts, rng):
    """`total` cents in `parts` non-negative pieces that add up to it."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    edges = [0] + cuts + [total]
    return [edges[i + 1] - edges[i] for i in range(parts)]


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    awaiting = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = random.Random(18)
    large_rng = random.Random(500)  # its own stream: the other parents' entries are as before it
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    # As sql/state/schema.sql has it, for a file created by a creditbot older than the table.
    db.execute("CREATE TABLE IF NOT EXISTS ledger_breakdown (execution_id TEXT NOT NULL, kind TEXT NOT NULL, "
               "label TEXT NOT NULL, credited TEXT NOT NULL, PRIMARY KEY (execution_id, kind, label)) "
               "WITHOUT ROWID")
    ledger, cells, breakdown = [], [], []
    for i in range(n):
        execution_id = "20260101T000000Z-bench%06d" % i
        is_awaiting = i >= n - awaiting
        span = 60 if is_awaiting else 730
        created = END_US - rng.randint(1, span * DAY_US)
        asked = created / 1e6 - rng.randint(60, 3 * 3600)
        ts = "%.6f" % asked
        channel = "C0BENCH"
        parent = "ACbench%03d" % rng.randrange(500)
        if large_rng.random() < 0.3:
            parent = "ACbench500"
        product = "verify" if rng.random() < 0.7 else "messaging"
        recommended = rng.randint(0, 500000)
        roll = rng.random()
        if is_awaiting:
            status = "awaiting"
        elif roll < 0.03:
            status = "superseded"
        elif roll < 0.08:
            status = "rejected"
        elif roll < 0.11:
            status = "adjusted"
        elif roll < 0.41:
            status = "approved"
        else:
            status = "auto_approved"
        final, decided_by, decided_at, reason = "", "", None, ""
        if status == "auto_approved":
            final, decided_by, decided_at = cents(recommended), "policy", created // 1_000_000
        elif status in ("approved", "rejected", "adjusted"):
            decided_by = "U0APPROVER1"
            decided_at = created // 1_000_000 + rng.randint(1800, 4 * 86400)
            final = {"approved": cents(recommended), "rejected": "0.00",
                     "adjusted": cents(recommended // 2)}[status]
            reason = "" if status == "approved" else "bench"
        superseded_by = "20260101T000000Z-later" if status == "superseded" else ""
        parts = rng.randint(1, 6)
        amounts = split(recommended, parts, rng)
        by_country = {}
        for seq, amount in enumerate(amounts):
            mcc, country = rng.choice(COUNTRIES)
            cells.append((execution_id, seq, "2026-01-%02d" % (1 + seq), parent + "a", "", mcc, "", cents(amount)))
            by_country[country] = by_country.get(country, 0) + amount
        for country, amount in by_country.items():
            breakdown.append((execution_id, "country", country, cents(amount)))
        for mode, amount in zip(MODES, [0] + split(recommended, 3, rng)):
            breakdown.append((execution_id, "mode", mode, cents(amount)))
        ledger.append((execution_id, "%s:%s" % (channel, ts), channel, ts, "%.6f" % (asked + 30), "U0REQUESTER",
                       parent, product, "2026-01-01", "2026-01-07", parts, cents(recommended), "USD", product,
                       "1", "bench", created, status, final, decided_by, decided_at, reason, superseded_by,
                       decided_at if superseded_by else None, 1))
    with db:
        db.executemany(
            "INSERT INTO ledger (execution_id, request_key, channel, ts, reply_ts, requester, parent_account_sid, "
            "product, fraud_start, fraud_end, cell_count, recommended_amount, currency, policy_name, "
            "policy_version, policy_sha256, created_at, status, final_amount, decided_by, decided_at, reason, "
            "superseded_by, superseded_at, reply_updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ledger)
        db.executemany("INSERT INTO ledger_cells (execution_id, seq, day, account_sid, service_sid, mcc, mnc, "
                       "credited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cells)
        db.executemany("INSERT INTO ledger_breakdown (execution_id, kind, label, credited) VALUES (?, ?, ?, ?)",
                       breakdown)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print("%d entries (%d awaiting), %d cells, %d breakdown rows written to %s" %
          (n, awaiting, len(cells), len(breakdown), path))


if __name__ == "__main__":
    main()
