"""Tests of the Python package (run by .ci/run after `pip install .`).

The reports here are written for these tests; the places are real so that
the gazetteer resolves them, the outlets are fictional.
"""

import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import sitrep

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "reports"

SHELLING = (
    "Government artillery shelled the town of Maarat al-Numan on Monday, "
    "killing at least 7 civilians, the Syrian Observatory for Human Rights said."
)
SHELLING_COPY = (
    "At least 7 civilians were killed on Monday when government forces shelled "
    "Maarat al-Numan, a monitoring group said."
)


def sitrep_bin():
    """The CLI to compare with: $SITREP_BIN, else the repository's build."""
    cands = [os.environ.get("SITREP_BIN")] + [
        str(REPO / "target" / p / "sitrep") for p in ("release", "debug")
    ]
    for c in cands:
        if c and Path(c).is_file():
            return c
    if os.environ.get("CI"):
        pytest.fail("no sitrep binary: build it (cargo build --bin sitrep) or set SITREP_BIN")
    pytest.skip("no sitrep binary built")


def test_extract_a_report():
    r = sitrep.extract(SHELLING, published="2021-03-10", outlet="Kestrel Post", id="k1")
    assert r["doc"] == {
        "id": "k1",
        "outlet": "Kestrel Post",
        "published": {"date": "2021-03-10", "precision": "day", "origin": "record"},
    }
    ev = [e for e in r["events"] if e["primary"]]
    assert len(ev) == 1
    e = ev[0]
    assert e["id"] == "k1#e1"
    assert e["event_type"] == "Explosions/Remote violence"
    assert e["sub_event_type"] == "Shelling/artillery/missile attack"
    assert e["date"]["start"] == e["date"]["end"] == "2021-03-08"
    assert e["location"]["country_code"] == "SY"
    assert e["location"]["geonames_id"] == 167611  # Ma‘arrat an Nu‘mān
    assert e["location"]["text"] == "Maarat al-Numan"
    assert e["fatalities"]["civilians"]["low"] == 7
    assert e["evidence"], "events carry their evidence offsets"


def test_default_id_is_stable_and_dates_accept_date_objects():
    import datetime

    a = sitrep.extract(SHELLING, published=datetime.date(2021, 3, 10))
    b = sitrep.extract(SHELLING, published="2021-03-10")
    assert a == b
    assert a["doc"]["id"].startswith("doc-")


def test_bad_input_raises_without_killing_the_interpreter():
    with pytest.raises(ValueError, match="empty"):
        sitrep.extract("   ")
    with pytest.raises(ValueError, match="needs the report"):
        sitrep.extract()
    with pytest.raises(TypeError):
        sitrep.extract(42)
    # A published date that is not a date is a diagnostic, not a crash.
    r = sitrep.extract(SHELLING, published="next Tuesday-ish")
    assert any(d["code"] == "read.bad-published" for d in r["diagnostics"])
    with pytest.raises(ValueError, match="item 0"):
        sitrep.fuse([{"nothing": 1}])
    with pytest.raises(ValueError, match="twice"):
        r = sitrep.extract(SHELLING, id="same")
        sitrep.fuse([r, r])
    # Still alive and working.
    assert sitrep.extract(SHELLING)["events"]


def test_missing_data_folder_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SITREP_DATA", str(tmp_path))
    with pytest.raises(sitrep.DataError, match="SITREP_DATA"):
        sitrep.extract(SHELLING)


def test_package_ships_every_data_file():
    shipped = {p.name for p in (Path(sitrep.__file__).parent / "data").iterdir()}
    in_repo = {p.name for p in (REPO / "data").iterdir()}
    assert in_repo <= shipped, f"not in the package: {in_repo - shipped}"


def test_arrow_round_trip():
    pa = pytest.importorskip("pyarrow")
    batch = pa.record_batch(
        {
            "id": ["k1", "k2", "k3"],
            "title": [None, "Clashes", None],
            "text": [SHELLING, "Clashes between rebels and the army killed 5 fighters in Daraa on Tuesday.", "   "],
            "outlet": ["Kestrel Post", "Heron Daily", None],
            "published": pa.array([18696, 18697, None], pa.date32()),
        }
    )
    with pytest.raises(ValueError, match="row 2"):
        sitrep.extract_arrow(batch)
    out = sitrep.extract_arrow(batch, errors="ignore", threads=1)
    assert out.schema == sitrep.EXTRACT_SCHEMA
    rows = out.to_pylist()
    assert {r["doc_id"] for r in rows} == {"k1", "k2"}
    # Each row is the event `extract` gives for the same record.
    one = sitrep.extract(SHELLING, published="2021-03-10", outlet="Kestrel Post", id="k1")
    k1 = [r for r in rows if r["doc_id"] == "k1"]
    assert [json.loads(r["event"]) for r in k1] == one["events"]
    for r in k1:
        ev = json.loads(r["event"])
        assert r["event_id"] == ev["id"]
        assert r["sub_event_type"] == ev["sub_event_type"]
        assert r["published"] == "2021-03-10"
        assert r["block"] == sitrep.block_key(ev)
        assert r["evidence_text"] and all(t in SHELLING for t in r["evidence_text"])
    # Parallel and sequential runs agree.
    assert sitrep.extract_arrow(batch, errors="ignore").to_pylist() == rows
    # And a table (e.g. from pandas) is accepted.
    table = pa.Table.from_batches([batch.slice(0, 2)])
    assert sitrep.extract_arrow(table).to_pylist() == rows
    with pytest.raises(ValueError, match="no `text`"):
        sitrep.extract_arrow(pa.record_batch({"body": ["x"]}))
    with pytest.raises(TypeError, match="column `text`"):
        sitrep.extract_arrow(pa.record_batch({"text": [1.5]}))


def test_fuse_two_reports_of_one_event():
    a = sitrep.extract(SHELLING, published="2021-03-10", outlet="Kestrel Post", id="a")
    b = sitrep.extract(SHELLING_COPY, published="2021-03-09", outlet="Heron Daily", id="b")
    fused = sitrep.fuse([dict(a, text=SHELLING), dict(b, text=SHELLING_COPY)])
    primary = {a["events"][0]["id"], b["events"][0]["id"]}
    together = [f for f in fused if primary <= {m["event"] for m in f["members"]}]
    assert len(together) == 1, json.dumps(fused, indent=1)[:2000]
    f = together[0]
    assert f["id"].startswith("F") and len(f["id"]) == 13
    assert {c["doc"] for c in f["claims"]} == {"a", "b"}
    assert f["civilians"]["low"] == 7
    # The order of the inputs never matters.
    assert sitrep.fuse([b, a]) == sitrep.fuse([a, b])


def test_fuse_arrow_equals_fuse():
    pa = pytest.importorskip("pyarrow")
    batch = pa.record_batch(
        {"id": ["a", "b"], "text": [SHELLING, SHELLING_COPY], "published": ["2021-03-10", "2021-03-09"]}
    )
    events = sitrep.extract_arrow(batch)
    fused = sitrep.fuse_arrow(events)
    assert fused.schema == sitrep.FUSED_SCHEMA
    want = sitrep.fuse(events.to_pylist())
    assert [json.loads(r) for r in fused.column("record").to_pylist()] == want
    assert fused.column("fused_id").to_pylist() == [f["id"] for f in want]


def test_fusing_block_by_block_equals_fusing_everything():
    """What the Spark job relies on: fusing each `block` group apart gives
    the fused events of fusing all events at once."""
    pa = pytest.importorskip("pyarrow")
    pc = pytest.importorskip("pyarrow.compute")
    recs = example_records()
    reports = [
        {"id": r["id"], "text": r.get("text") or r.get("html"), "published": r.get("published"),
         "outlet": r.get("outlet")}
        for r in recs
    ] + [
        {"id": "k1", "text": SHELLING, "published": "2021-03-10", "outlet": "Kestrel Post"},
        {"id": "k2", "text": SHELLING_COPY, "published": "2021-03-09", "outlet": "Heron Daily"},
    ]
    events = sitrep.extract_arrow(pa.Table.from_pylist(reports))
    blocks = sorted(set(events.column("block").to_pylist()))
    assert len(blocks) >= 2
    whole = sitrep.fuse_arrow(events).to_pylist()
    apart = []
    for b in reversed(blocks):
        mask = pc.equal(events.column("block"), b)
        apart += sitrep.fuse_arrow(events.filter(mask)).to_pylist()
    key = lambda r: r["fused_id"]
    assert sorted(apart, key=key) == sorted(whole, key=key)
    assert any(r["n_reports"] > 1 for r in whole)


def example_records():
    """examples/reports as (record, how the CLI keys and dates it)."""
    meta = {}
    for line in (EXAMPLES / "meta.jsonl").read_text().splitlines():
        m = json.loads(line)
        meta[m["file"]] = m
    out = []
    for p in sorted(EXAMPLES.iterdir()):
        if p.name == "meta.jsonl":
            continue
        if p.name.endswith(".jsonl"):
            for n, line in enumerate(p.read_text().splitlines(), 1):
                r = json.loads(line)
                rec = {k: r.get(k) for k in ("id", "title", "text", "outlet", "published", "url")}
                rec["id"] = rec["id"] or f"{p.name.split('.')[0]}:{n}"
                out.append(rec)
            continue
        m = meta.get(p.name, {})
        raw = gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
        body = raw.decode("utf-8")
        rec = {"id": p.name.split(".")[0], "outlet": m.get("outlet"), "url": m.get("url"),
               "published": m.get("published")}
        rec["html" if ".htm" in p.name else "text"] = body
        out.append(rec)
    return out


def test_same_output_as_the_cli_on_the_examples(tmp_path):
    """`sitrep.extract` and `sitrep extract` give the same objects: on the
    examples as JSON Lines records (exactly), and on the example folder
    (except the origin of the date: a sidecar there, a record here)."""
    cli = sitrep_bin()
    records = example_records()
    assert len(records) >= 6
    jsonl = tmp_path / "examples.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    got = [sitrep.extract(**r) for r in records]

    run = subprocess.run([cli, "extract", str(jsonl)], capture_output=True, text=True, check=True)
    want = [json.loads(line) for line in run.stdout.splitlines()]
    assert got == want

    run = subprocess.run([cli, "extract", str(EXAMPLES)], capture_output=True, text=True, check=True)
    folder = {d["doc"]["id"]: d for d in map(json.loads, run.stdout.splitlines())}
    assert set(folder) == {g["doc"]["id"] for g in got}
    for g in got:
        w = folder[g["doc"]["id"]]
        if w["doc"]["published"]["origin"] == "sidecar":
            w["doc"]["published"]["origin"] = "record"
        assert g == w, g["doc"]["id"]
    assert sum(len(g["events"]) for g in got) > 0
