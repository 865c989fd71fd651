"""Import a kabupaten's posyandu CSV into a running registry, with a progress bar.

    simpul-registry-import kukar.csv --url http://127.0.0.1:8101 --token "$TOKEN"

The file is sent in chunks (each its own request with an Idempotency-Key derived from its
content, so a retried chunk has one effect); rejected rows are printed with their reasons.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import sys
from typing import Any

import httpx
from tqdm import tqdm

from simpul_platform.csv_body import decode, records
from simpul_platform.errors import InvalidInput


def chunks(raw: bytes, size: int) -> list[tuple[int, str]]:
    """(first data row number in the file, CSV text with the header) per chunk; InvalidInput
    naming the line when the file is not a readable UTF-8 CSV (the service would refuse it)."""
    lines = [fields for _, fields in records(decode(raw))] or [[]]
    header, rows = lines[0], lines[1:]
    out: list[tuple[int, str]] = []
    for start in range(0, len(rows), size):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows[start:start + size])
        out.append((start + 2, buffer.getvalue()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("csv_file")
    parser.add_argument("--url", default=os.environ.get("REGISTRY_URL", "http://127.0.0.1:8101"))
    parser.add_argument("--token", default=os.environ.get("SIMPUL_TOKEN", ""))
    parser.add_argument("--chunk-size", type=int, default=200)
    args = parser.parse_args(argv)
    with open(args.csv_file, "rb") as handle:
        raw = handle.read()
    try:
        parts = chunks(raw, args.chunk_size)
    except InvalidInput as exc:
        print(f"{args.csv_file}: {exc.detail}", file=sys.stderr)
        return 2
    totals = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    rejected: list[dict[str, Any]] = []
    with httpx.Client(base_url=args.url, timeout=120) as client, tqdm(
        total=sum(part.count("\n") - 1 for _, part in parts), unit="row", desc="posyandu"
    ) as bar:
        for first_row, part in parts:
            response = client.post("/v1/imports/posyandu", content=part.encode(), headers={
                "Authorization": f"Bearer {args.token}", "Content-Type": "text/csv",
                "X-First-Row": str(first_row),
                "Idempotency-Key": "csv-" + hashlib.sha256(part.encode()).hexdigest()[:40],
            })
            if response.status_code != 200:
                bar.close()
                print(f"import failed at row {first_row}: {response.status_code} "
                      f"{response.text}", file=sys.stderr)
                return 1
            body = response.json()
            for key in totals:
                totals[key] += body[key]
            rejected += [r for r in body["rows"] if r["outcome"] == "rejected"]
            bar.update(len(body["rows"]))
    for row in rejected:
        reasons = "; ".join(f"{e['field']}: {e['rule']} ({e['message']})" for e in row["errors"])
        print(f"row {row['row']} rejected: {reasons}")
    print(", ".join(f"{count} {outcome}" for outcome, count in totals.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
