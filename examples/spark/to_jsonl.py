"""Turn report corpora into the JSON Lines records the Spark jobs read
(`id`, `title`, `text`, `outlet`, `published`, `url`; the same records
`sitrep extract FILE.jsonl` reads).

    python examples/spark/to_jsonl.py ../shared/seeds out/seeds.jsonl
    python examples/spark/to_jsonl.py ../shared/eval/fakes/dev.csv out/fakes.jsonl

A folder: every `.txt` file, with its `meta.jsonl` sidecar (`file`,
`outlet`, `url`, `published`); the id is the file name without extension,
as `sitrep extract FOLDER` keys it. A FA-KES CSV: `article_content` as
text, `article_title`, `source` as outlet, id `UNITID-ROW` as in
`sitrep eval fusion` (no publication date: the CSV's `date` is the crowd's
label of the event day, not the article's).
"""

import csv
import json
import sys
from pathlib import Path


def folder_records(folder: Path):
    meta = {}
    sidecar = folder / "meta.jsonl"
    if sidecar.exists():
        for n, line in enumerate(sidecar.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    m = json.loads(line)
                except ValueError as e:
                    sys.exit(f"{sidecar}:{n}: not JSON ({e})")
                meta[m.get("file")] = m
    for p in sorted(folder.iterdir()):
        if p.suffix != ".txt":
            continue
        m = meta.get(p.name, {})
        yield {
            "id": p.stem,
            "title": m.get("title"),
            "text": p.read_text(encoding="utf-8"),
            "outlet": m.get("outlet"),
            "published": m.get("published"),
            "url": m.get("url"),
        }


def fakes_records(path: Path):
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            try:
                yield {
                    "id": f"{row['unit_id'].strip()}-{i}",
                    "title": row["article_title"].strip(),
                    "text": row["article_content"].strip(),
                    "outlet": row["source"].strip() or None,
                    "published": None,
                    "url": None,
                }
            except KeyError as e:
                sys.exit(f"{path}: no column {e}; is this a FA-KES CSV?")


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    src, out = Path(argv[1]), Path(argv[2])
    records = folder_records(src) if src.is_dir() else fakes_records(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    print(f"{n} reports -> {out}")


if __name__ == "__main__":
    main(sys.argv)
