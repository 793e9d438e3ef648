#!/usr/bin/env python3
"""A SQLite warehouse whose fraud report (bench/calc_size/report.sql) returns exactly N rows, for issue 20's
size benchmark (bench/calc_size/run.sh).

The warehouse has the schema of sql/schema/warehouse.sql and everything the follow-up queries read for one
parent account: 10 sub-accounts with one Verify service each (Fraud Guard modes off/basic/standard/max, one
service changing mode mid-July), Geo Permissions, provider costs and block rates for 20 MCCs, an MRR and an
earlier credit. The report reads `authy_fraud_report_daily`, a pre-aggregated daily table (what a Looker
persistent derived table holds): one row per (day, account, service, MCC, MNC, country), July 2025, with
34-character SIDs, so every report row is distinct and none is merged. Deterministic for a given N and seed.

    python3 bench/calc_size/make_warehouse.py --db /tmp/w.db --rows 200000
"""
import argparse
import datetime
import os
import random
import sqlite3

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "sql", "schema", "warehouse.sql")

DAYS = 31
SERVICES = 10
MCCS = 20
MODES = ["off", "basic", "standard", "max", "standard", "max", "basic", "standard", "max", "basic"]


def sid(prefix, number):
    return "%s%032x" % (prefix, 0xC0FFEE00 + number * 104729)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="the SQLite file to write (replaced)")
    parser.add_argument("--rows", type=int, required=True, help="report rows (>= 1)")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    rng = random.Random(args.seed)
    if os.path.exists(args.db):
        os.remove(args.db)
    db = sqlite3.connect(args.db)
    with open(SCHEMA, encoding="utf-8") as schema:
        db.executescript(schema.read())

    parent = sid("AC", 0)
    accounts = [sid("AC", 1 + i) for i in range(SERVICES)]
    services = [sid("VA", 1 + i) for i in range(SERVICES)]
    mccs = ["%03d" % (410 + 7 * i) for i in range(MCCS)]
    countries = ["%c%c" % (65 + i % 26, 66 + (i * 7) % 25) for i in range(MCCS)]
    db.execute("INSERT INTO accounts VALUES (?, ?, ?, 'active')", (parent, parent, "bench parent"))
    for i, (account, service) in enumerate(zip(accounts, services)):
        db.execute("INSERT INTO accounts VALUES (?, ?, ?, 'active')", (account, parent, "bench sub %d" % i))
        db.execute("INSERT INTO verify_services VALUES (?, ?, ?, ?, 'verify_v2')",
                   (service, account, "bench service %d" % i, 1 if i == 5 else 0))
        change = "2025-07-15 12:00:00" if i == 2 else None
        db.execute("INSERT INTO fraud_guard_settings_history VALUES (?, ?, ?, '2025-01-01 00:00:00', ?)",
                   (service, account, MODES[i], change))
        if change:
            db.execute("INSERT INTO fraud_guard_settings_history VALUES (?, ?, 'max', ?, NULL)",
                       (service, account, change))
        db.execute("INSERT INTO geo_permissions_history VALUES (?, ?, 'sms', 'allow', '2025-01-01 00:00:00', NULL)",
                   (account, countries[i]))
    for i, mcc in enumerate(mccs):
        db.execute("INSERT INTO provider_costs VALUES (?, NULL, ?, '2025-01-01', NULL)", (mcc, 0.011 + 0.003 * (i % 9)))
        for mode, rate in (("basic", 0.35), ("standard", 0.6), ("max", 0.9)):
            db.execute("INSERT INTO block_rates VALUES (?, ?, ?)", (mode, mcc, rate))
    db.execute("INSERT INTO mrr_monthly VALUES (?, '2025-07-01', 45000.0)", (parent,))
    db.execute("INSERT INTO credits_issued VALUES (?, 'verify', '2025-03-02 10:00:00', 120.0, 'issued')", (parent,))

    db.execute("""CREATE TABLE authy_fraud_report_daily (
        day TEXT NOT NULL, account_sid TEXT NOT NULL, service_sid TEXT NOT NULL, mcc TEXT NOT NULL,
        mnc TEXT NOT NULL, to_country TEXT NOT NULL, attempts_sent INTEGER NOT NULL,
        attempts_blocked INTEGER NOT NULL, fraud_charges_usd REAL NOT NULL)""")
    # Rows are spread over days × MCCs × services (so 5 rows are 5 services in four modes), then over as
    # many MNCs as N needs.
    cells = DAYS * SERVICES * MCCS
    mncs = (args.rows + cells - 1) // cells
    start = datetime.date(2025, 7, 1)

    def rows():
        count = 0
        for mnc in range(mncs):
            for day in range(DAYS):
                for m in range(MCCS):
                    for service in range(SERVICES):
                        if count == args.rows:
                            return
                        count += 1
                        sent = rng.randint(1, 4000)
                        blocked = rng.randint(0, sent)
                        charges = round(sent * rng.uniform(0.02, 0.09), 5)
                        yield ((start + datetime.timedelta(days=day)).isoformat(), accounts[service],
                               services[service], mccs[m], "%02d" % mnc, countries[m], sent, blocked, charges)

    db.executemany("INSERT INTO authy_fraud_report_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.commit()
    (written,) = db.execute("SELECT COUNT(*) FROM authy_fraud_report_daily").fetchone()
    db.close()
    print("%s: %d report rows" % (args.db, written))


if __name__ == "__main__":
    main()
