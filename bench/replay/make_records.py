#!/usr/bin/env python3
"""Makes N recorded requests for bench/replay/run.sh: the audit records one `creditbot run --once` wrote over
the sample inbox (SOURCE/<execution id>/result.json and evidence.json.gz), copied round-robin into
TARGET/<new execution id>/ with the id in result.json rewritten, so each copy replays byte-identically from
its frozen inputs.

    make_records.py SOURCE_AUDIT_DIR TARGET_AUDIT_DIR N
"""

import json
import pathlib
import shutil
import sys


def main() -> int:
    source, target, count = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
    records = sorted(p for p in source.iterdir() if (p / "evidence.json.gz").exists())
    if not records:
        print(f"no record with evidence.json.gz in {source}", file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        record = records[i % len(records)]
        old_id = record.name
        # Same time part, a new 4-hex suffix, and a counter so ids stay unique and sorted.
        new_id = f"{old_id[:16]}-{i:05x}"
        folder = target / new_id
        folder.mkdir()
        result = (record / "result.json").read_text(encoding="utf-8")
        old_line = f'"execution_id": {json.dumps(old_id)}'
        assert result.count(old_line) == 1, old_id
        (folder / "result.json").write_text(result.replace(old_line, f'"execution_id": {json.dumps(new_id)}'),
                                            encoding="utf-8")
        shutil.copyfile(record / "evidence.json.gz", folder / "evidence.json.gz")
    print(f"{count} records from {len(records)} in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
