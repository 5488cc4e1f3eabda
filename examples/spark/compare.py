"""Check a Spark run against the single-machine result; exit 1 on any
difference, printing what differs.

    python examples/spark/compare.py --reports reports.jsonl --spark out/ \\
        --sitrep target/debug/sitrep

Single-machine result: `sitrep extract REPORTS` (the CLI) for the events,
then `sitrep.fuse` over all of them in one process, with each report's text
for the evidence sentences. Spark result: `OUT/events` and `OUT/fused`
from backfill.py or stream.py. Compared: the set of events (every field of
every event, by id) and the set of fused events (every field of every
fused record: members, claims, figures, flags, links, confidence, by id).
"""

import argparse
import glob
import json
import subprocess
import sys


def read_parquet_dir(path):
    import pyarrow.parquet as pq

    files = sorted(glob.glob(f"{path}/**/*.parquet", recursive=True))
    if not files:
        sys.exit(f"compare: no Parquet files under {path}; did the Spark job run?")
    rows = []
    for f in files:
        rows.extend(pq.read_table(f).to_pylist())
    return rows


def single_machine(reports_path, sitrep_bin):
    import sitrep

    texts = {}
    with open(reports_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                r = json.loads(line)
                if not r.get("id"):
                    sys.exit(f"compare: {reports_path}:{n}: records need an id to be compared")
                texts[r["id"]] = r.get("text")
    run = subprocess.run([sitrep_bin, "extract", reports_path], capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"compare: `{sitrep_bin} extract` failed:\n{run.stderr}")
    extractions = [json.loads(line) for line in run.stdout.splitlines()]
    events = {e["id"]: e for x in extractions for e in x["events"]}
    items = [dict(x, text=texts.get(x["doc"]["id"])) for x in extractions]
    fused = {f["id"]: f for f in sitrep.fuse(items)}
    return len(extractions), events, fused


def diff(kind, want, got, show=5):
    bad = 0
    for k in sorted(set(want) - set(got))[:show]:
        print(f"  {kind} {k}: only in the single-machine result")
    for k in sorted(set(got) - set(want))[:show]:
        print(f"  {kind} {k}: only in the Spark result")
    bad += len(set(want) ^ set(got))
    changed = [k for k in sorted(set(want) & set(got)) if want[k] != got[k]]
    for k in changed[:show]:
        fields = sorted(f for f in set(want[k]) | set(got[k]) if want[k].get(f) != got[k].get(f))
        print(f"  {kind} {k}: differs in {', '.join(fields)}")
        for f in fields[:3]:
            print(f"    single machine: {json.dumps(want[k].get(f))[:300]}")
            print(f"    spark:          {json.dumps(got[k].get(f))[:300]}")
    return bad + len(changed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", required=True)
    ap.add_argument("--spark", required=True, help="the Spark job's output folder")
    ap.add_argument("--sitrep", default="sitrep", help="the sitrep binary")
    a = ap.parse_args()

    n_docs, events, fused = single_machine(a.reports, a.sitrep)
    spark_events = {}
    dup = 0
    for r in read_parquet_dir(f"{a.spark}/events"):
        e = json.loads(r["event"])
        dup += e["id"] in spark_events
        spark_events[e["id"]] = e
    spark_fused = {}
    for r in read_parquet_dir(f"{a.spark}/fused"):
        f = json.loads(r["record"])
        dup += f["id"] in spark_fused
        spark_fused[f["id"]] = f
        if r["fused_id"] != f["id"] or r["block"] != f["block"]:
            print(f"  fused {f['id']}: flat columns disagree with the record")
            dup += 1
    print(
        f"single machine: {n_docs} reports, {len(events)} events, {len(fused)} fused; "
        f"spark: {len(spark_events)} events, {len(spark_fused)} fused"
    )
    bad = dup + diff("event", events, spark_events) + diff("fused", fused, spark_fused)
    if not events or not fused:
        print("compare: the single-machine run found no events; nothing was compared")
        bad += 1
    if bad:
        print(f"compare: FAILED, {bad} difference(s) between Spark and the single-machine result")
        sys.exit(1)
    multi = sum(1 for f in fused.values() if len(f["members"]) > 1)
    print(f"compare: identical ({len(fused)} fused events, {multi} with 2+ reports)")


if __name__ == "__main__":
    main()
