#!/usr/bin/env python3
"""Repack a CSV corpus (FA-KES-like: article_title, article_content, source,
date columns) as a CC-NEWS-style .warc.gz and, for comparison, the same
articles as JSON Lines, replicated until the WARC body text reaches
--target-mb. Used by the WARC throughput figure in docs/performance.md.

Each article becomes three records, as in a crawl: request, response (a
small HTML page around the text; every fourth one in windows-1252 with the
charset declared) and metadata; one warcinfo record opens the file. Every
record is its own gzip member. Replica N gets URLs .../rN/ so keys differ.

  python3 bench/warc_corpus.py ../shared/eval/fakes/dev.csv /tmp/warc --target-mb 50
"""
import argparse
import csv
import gzip
import html
import json
import os
import sys


def record(typ, headers, block):
    out = [b"WARC/1.1\r\n", f"WARC-Type: {typ}\r\n".encode()]
    for k, v in headers:
        out.append(f"{k}: {v}\r\n".encode())
    out.append(f"Content-Length: {len(block)}\r\n\r\n".encode())
    out.append(block)
    out.append(b"\r\n\r\n")
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("out_dir")
    ap.add_argument("--target-mb", type=float, default=50)
    a = ap.parse_args()
    csv.field_size_limit(sys.maxsize)
    with open(a.csv, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("article_content", "").strip()]
    os.makedirs(a.out_dir, exist_ok=True)
    warc_path = os.path.join(a.out_dir, "corpus.warc.gz")
    jsonl_path = os.path.join(a.out_dir, "corpus.jsonl")
    target = a.target_mb * 1e6
    text_bytes = 0
    docs = 0
    with open(warc_path, "wb") as w, open(jsonl_path, "w", encoding="utf-8") as j:
        w.write(gzip.compress(record("warcinfo", [("WARC-Date", "2026-01-01T00:00:00Z")], b"software: bench/warc_corpus.py\r\n"), compresslevel=6, mtime=0))
        rep = 0
        while text_bytes < target:
            for i, r in enumerate(rows):
                if text_bytes >= target:
                    break
                url = f"https://news{i % 7}.example.org/r{rep}/{r.get('unit_id', i)}"
                date = (r.get("date") or "2017-01-01")[:10] + "T12:00:00Z"
                title = r.get("article_title", "")
                body = r["article_content"]
                page = (
                    "<!doctype html><html><head><meta charset=\"{cs}\"><title>{t}</title></head>"
                    "<body><nav><a href=\"/\">Home</a> | <a href=\"/world\">World</a></nav>"
                    "<article><h1>{t}</h1><p>{b}</p></article>"
                    "<footer>Copyright example news</footer></body></html>"
                )
                cp1252 = docs % 4 == 3
                cs = "windows-1252" if cp1252 else "utf-8"
                text = page.format(cs=cs, t=html.escape(title), b=html.escape(body))
                enc = text.encode("cp1252", errors="xmlcharrefreplace") if cp1252 else text.encode("utf-8")
                http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={cs}\r\n"
                        f"Content-Length: {len(enc)}\r\n\r\n").encode() + enc
                req = b"GET / HTTP/1.1\r\nHost: news.example.org\r\n\r\n"
                for typ, block, ct in [
                    ("request", req, "application/http; msgtype=request"),
                    ("response", http, "application/http; msgtype=response"),
                    ("metadata", b"fetchTimeMs: 120\r\n", "application/warc-fields"),
                ]:
                    rec = record(typ, [("WARC-Target-URI", url), ("WARC-Date", date), ("Content-Type", ct)], block)
                    w.write(gzip.compress(rec, compresslevel=6, mtime=0))
                j.write(json.dumps({"id": url, "url": url, "html": text}) + "\n")
                text_bytes += len(enc)
                docs += 1
            rep += 1
    print(f"{docs} articles, {text_bytes / 1e6:.1f} MB of HTML: {warc_path} ({os.path.getsize(warc_path) / 1e6:.1f} MB), {jsonl_path} ({os.path.getsize(jsonl_path) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
