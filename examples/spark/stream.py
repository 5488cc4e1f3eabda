"""Live intake with Spark Structured Streaming: new JSON Lines files in a
folder are extracted as they arrive and the fused events they touch are
recomputed.

    python examples/spark/stream.py --input incoming/ --output out/
    python examples/spark/stream.py --input incoming/ --output out/ --available-now

Each micro-batch (a few new files) goes through `mapInArrow` extraction as
in backfill.py. Its events are written to `OUT/events/batch_id=N` (a
replayed batch overwrites itself, so the sink is idempotent); then every
block the batch touched is fused again from *all* current events of that
block (the latest version of each document) and its fused events replace
the block's partition of `OUT/fused` (dynamic partition overwrite). This is
what `sitrep ingest` does with the store: fusion recomputes whole blocks,
so after any sequence of micro-batches `OUT/fused` equals a backfill of all
the files (compare.py checks it).

`--available-now` processes what is there and stops (tests, catch-up);
otherwise the query polls every `--trigger` seconds until stopped.
"""

import argparse
import os

from backfill import REPORT_COLUMNS, extract_events, fuse_events, spark_session


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True, help="folder that receives .jsonl files")
    ap.add_argument("--output", required=True, help="folder for events/, fused/ and the checkpoint")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--files-per-batch", type=int, default=2)
    ap.add_argument("--trigger", type=int, default=10, help="seconds between polls")
    ap.add_argument("--available-now", action="store_true", help="process what is there, then stop")
    a = ap.parse_args(argv)

    spark = spark_session(a.master, "sitrep-stream")
    # The workers unpickle the extraction and fusion functions from backfill.py.
    spark.sparkContext.addPyFile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "backfill.py"))
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    events_dir = os.path.join(a.output, "events")
    fused_dir = os.path.join(a.output, "fused")

    reports = (
        spark.readStream.schema(REPORT_COLUMNS)
        .option("maxFilesPerTrigger", a.files_per_batch)
        .json(a.input)
    )

    def apply_batch(batch, batch_id):
        batch.write.mode("overwrite").parquet(f"{events_dir}/batch_id={batch_id}")
        touched = batch.select("block").distinct()
        if not touched.take(1):
            return
        # Every current event of the touched blocks: of each document, the
        # events of the latest batch that carried it.
        stored = spark.read.parquet(events_dir)
        latest = stored.withColumn(
            "newest", F.max("batch_id").over(Window.partitionBy("doc_id"))
        ).where(F.col("batch_id") == F.col("newest"))
        current = latest.join(touched, "block").drop("batch_id", "newest")
        fused = fuse_events(current)
        (
            fused.withColumn("part", F.col("block"))
            .write.mode("overwrite")
            .partitionBy("part")
            .parquet(fused_dir)
        )
        print(f"batch {batch_id}: {batch.count()} event(s), blocks re-fused: {touched.count()}")

    writer = extract_events(reports).writeStream.foreachBatch(apply_batch).option(
        "checkpointLocation", os.path.join(a.output, "_checkpoint")
    )
    if a.available_now:
        writer = writer.trigger(availableNow=True)
    else:
        writer = writer.trigger(processingTime=f"{a.trigger} seconds")
    query = writer.start()
    query.awaitTermination()
    spark.stop()


if __name__ == "__main__":
    main()
