"""Backfill with Spark: reports in, extracted and fused events out (Parquet).

    python examples/spark/backfill.py --input reports.jsonl --output out/
    python examples/spark/backfill.py --input reports.parquet --output out/ \\
        --master 'local[8]' --partitions 64

Input: JSON Lines or Parquet records with `text` (or `html`) and any of
`id`, `title`, `outlet`, `published`, `url` (the records `sitrep extract`
reads; `examples/spark/to_jsonl.py` makes them from a folder or a FA-KES
CSV). Output: `OUT/events` (one row per extracted event, the columns of
`sitrep.extract_arrow`) and `OUT/fused` (one row per fused event, the
columns of `sitrep.fuse_arrow`, the whole record as JSON in `record`).

1. `mapInArrow`: each task extracts its documents with the sitrep wheel
   (one thread per task: Spark gives the parallelism).
2. `groupBy("block").applyInArrow`: fusion per block. `block` is the key
   sitrep's fusion itself groups by (`sitrep.block_key`: the event's 0.5°
   grid cell, else its GeoNames id, country or `none`); blocks are fused
   independently and deterministically, so the result equals fusing every
   event in one process (docs/scaling.md). Near-duplicate (syndicated copy)
   detection needs the store and is not done here.

Needs the `sitrep` wheel, `pyspark>=4,<5`, `pandas<3` and `pyarrow` in the
Python that runs this (it becomes `PYSPARK_PYTHON`), and Java 17.
"""

import argparse
import json
import os
import sys
import time

EVENT_COLUMNS = """
doc_id string, event_id string, primary boolean, event_type string,
sub_event_type string, date_start string, date_end string,
date_precision string, location_name string, geonames_id bigint,
lat double, lon double, country_code string, actor1 string, actor2 string,
fatalities_low double, fatalities_best double, fatalities_high double,
modality string, outlet string, published string, block string,
event string, evidence_text array<string>
"""

FUSED_COLUMNS = """
fused_id string, block string, event_type string, sub_event_type string,
date_start string, date_end string, date_precision string,
location_name string, geonames_id bigint, lat double, lon double,
country_code string, n_reports bigint, n_sources bigint,
fatalities_low double, fatalities_best double, fatalities_high double,
confidence double, members array<string>, record string
"""

REPORT_COLUMNS = (
    "id string, title string, text string, html string, outlet string, "
    "published string, url string"
)


def spark_session(master, app):
    """A session with the settings that matter for sitrep (see
    docs/scaling.md): the workers run this Python, no UI, a deep Java stack
    for the Arrow/pandas plumbing."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-Xss16m")
        .config("spark.executor.extraJavaOptions", "-Xss16m")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .config("spark.sql.shuffle.partitions", os.environ.get("SITREP_SHUFFLE_PARTITIONS", "8"))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def extract_partition(batches):
    """mapInArrow: reports → events. Rows that cannot be read (empty text)
    are skipped with a warning in the executor log."""
    import sitrep

    for batch in batches:
        yield sitrep.extract_arrow(batch, threads=1, errors="warn")


def fuse_block(table):
    """applyInArrow: the events of one block → its fused events."""
    import pyarrow as pa
    import sitrep

    return pa.Table.from_batches([sitrep.fuse_arrow(table)])


def read_reports(spark, path):
    if path.endswith(".parquet") or (
        os.path.isdir(path) and any(f.endswith(".parquet") for f in os.listdir(path))
    ):
        df = spark.read.parquet(path)
    else:
        df = spark.read.schema(REPORT_COLUMNS).json(path)
    # Columns the input lacks are null; the rest keep their names.
    from pyspark.sql import functions as F

    for name in ("id", "title", "text", "html", "outlet", "published", "url"):
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast("string"))
    return df.select(
        "id", "title", "text", "html", "outlet",
        F.col("published").cast("string").alias("published"), "url",
    )


def extract_events(reports):
    return reports.mapInArrow(extract_partition, EVENT_COLUMNS)


def fuse_events(events):
    return events.groupBy("block").applyInArrow(fuse_block, FUSED_COLUMNS)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True, help="reports: a .jsonl file or folder, or Parquet")
    ap.add_argument("--output", required=True, help="folder for events/ and fused/ (Parquet)")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=0, help="repartition the reports into N tasks (0: as read)")
    ap.add_argument("--summary", help="also write the run's counts and timings to this JSON file")
    a = ap.parse_args(argv)

    spark = spark_session(a.master, "sitrep-backfill")
    started = time.time()
    cpu0 = os.times()
    reports = read_reports(spark, a.input)
    if a.partitions:
        reports = reports.repartition(a.partitions)
    n_reports = reports.count()
    events = extract_events(reports).persist()
    events.write.mode("overwrite").parquet(os.path.join(a.output, "events"))
    extracted = time.time()
    n_events = events.count()
    fused = fuse_events(events)
    fused.write.mode("overwrite").parquet(os.path.join(a.output, "fused"))
    done = time.time()
    n_fused = spark.read.parquet(os.path.join(a.output, "fused")).count()
    n_blocks = events.select("block").distinct().count()
    events.unpersist()
    spark.stop()
    summary = {
        "master": a.master,
        "reports": n_reports,
        "events": n_events,
        "blocks": n_blocks,
        "fused": n_fused,
        "extract_seconds": round(extracted - started, 2),
        "fuse_seconds": round(done - extracted, 2),
        "total_seconds": round(done - started, 2),
        "reports_per_second": round(n_reports / max(done - started, 1e-9), 1),
        "driver_cpu_seconds": round(sum(os.times()[:2]) - sum(cpu0[:2]), 2),
    }
    print(json.dumps(summary))
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(summary, f)


if __name__ == "__main__":
    main()
