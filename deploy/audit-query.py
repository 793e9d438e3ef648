#!/usr/bin/env python3
"""Lists the calculations in an audit folder that match a filter: the first step of the "a wrong credit was
posted" incident (docs/RUNBOOK.md, "Incidents").

    deploy/audit-query.py --audit-dir .creditbot/audit --policy-sha ad5555 [--json]
    aws s3 sync s3://$S3_BUCKET/$S3_OUTPUT_PREFIX/ ./audit-copy/ && deploy/audit-query.py --audit-dir ./audit-copy

Reads every <audit dir>/<execution id>/result.json. Filters (all optional, combined with AND):
  --execution-id ID       one calculation
  --product NAME          e.g. verify
  --policy-version V      policy.version
  --policy-sha PREFIX     policy.sha256 starts with PREFIX
  --sql-sha PREFIX        inputs.sql_sha256 starts with PREFIX
  --since / --until       UTC dates or times (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), on the record's timestamp
  --min-credit AMOUNT     credit_amount >= AMOUNT (exact decimal comparison)
  --live                  only records of live (not dry-run) passes, i.e. replies that were really posted
Prints one line per match, oldest first: timestamp, execution id, channel, message ts, credit, policy
version/sha, dry run; or JSON lines with --json. The reply's own ts (for chat.update) is in the state store:
`creditbot state list --json` (reply_ts) for the request key "<channel>:<ts>".
Standard library only.
"""

import argparse
import json
import os
import sys
from decimal import Decimal, InvalidOperation


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audit-dir", required=True)
    parser.add_argument("--execution-id")
    parser.add_argument("--product")
    parser.add_argument("--policy-version")
    parser.add_argument("--policy-sha")
    parser.add_argument("--sql-sha")
    parser.add_argument("--since")
    parser.add_argument("--until")
    parser.add_argument("--min-credit", type=Decimal)
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def normalise_time(text, end_of_day):
    """YYYY-MM-DD → the first (or last) second of that day, in the records' format."""
    if text and len(text) == 10:
        return text + ("T23:59:59Z" if end_of_day else "T00:00:00Z")
    return text


def matches(record, args):
    policy = record.get("policy") or {}
    inputs = record.get("inputs") or {}
    if args.execution_id and record.get("execution_id") != args.execution_id:
        return False
    if args.product and record.get("product") != args.product:
        return False
    if args.policy_version and str(policy.get("version")) != args.policy_version:
        return False
    if args.policy_sha and not str(policy.get("sha256", "")).startswith(args.policy_sha):
        return False
    if args.sql_sha and not str(inputs.get("sql_sha256", "")).startswith(args.sql_sha):
        return False
    stamp = record.get("timestamp", "")
    if args.since and stamp < normalise_time(args.since, False):
        return False
    if args.until and stamp > normalise_time(args.until, True):
        return False
    if args.min_credit is not None:
        try:
            if Decimal(record.get("credit_amount") or "0") < args.min_credit:
                return False
        except InvalidOperation:
            return False
    if args.live and record.get("dry_run", False):
        return False
    return True


def main(argv):
    args = parse_args(argv)
    if not os.path.isdir(args.audit_dir):
        print(f"audit-query: no folder {args.audit_dir}", file=sys.stderr)
        return 2
    found, unreadable = [], 0
    for name in sorted(os.listdir(args.audit_dir)):
        path = os.path.join(args.audit_dir, name, "result.json")
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
        except (OSError, ValueError) as error:
            print(f"audit-query: cannot read {path}: {error}", file=sys.stderr)
            unreadable += 1
            continue
        if matches(record, args):
            found.append(record)
    found.sort(key=lambda r: (r.get("timestamp", ""), r.get("execution_id", "")))
    for record in found:
        source = (record.get("inputs") or {}).get("source") or {}
        policy = record.get("policy") or {}
        row = {
            "timestamp": record.get("timestamp"),
            "execution_id": record.get("execution_id"),
            "request_key": f"{source.get('channel')}:{source.get('ts')}",
            "channel": source.get("channel"),
            "ts": source.get("ts"),
            "credit_amount": record.get("credit_amount"),
            "currency": record.get("currency"),
            "product": record.get("product"),
            "policy": f"{policy.get('name')}/{policy.get('version')}@{str(policy.get('sha256', ''))[:12]}",
            "dry_run": record.get("dry_run", False),
        }
        if args.json:
            print(json.dumps(row))
        else:
            print("\t".join(str(row[k]) for k in ("timestamp", "execution_id", "channel", "ts", "credit_amount",
                                                  "policy", "dry_run")))
    print(f"audit-query: {len(found)} matching record(s)" + (f", {unreadable} unreadable" if unreadable else ""),
          file=sys.stderr)
    return 1 if unreadable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
