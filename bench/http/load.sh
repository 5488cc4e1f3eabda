#!/usr/bin/env bash
# HTTP load benchmark of `sitrep serve` with wrk (docs/performance.md,
# "HTTP load"). A benchmark, not a test: it prints figures.
#
#   bench/http/load.sh [DB] [DURATION] [CONNECTIONS]
#
# DB defaults to /tmp/sitrep-load.db and is made first when missing with
# `sitrep bench store --events 100000` (needs ../shared/eval/fakes/dev.csv).
# Each scenario runs `wrk -t2 -cCONNECTIONS -dDURATION --latency` against a
# server on 127.0.0.1:$PORT (8089) over a list of request paths:
#   query   /api/events with the filters SQL answers from the list index
#           (type, dates, bbox, source) and pages (limit, offset)
#   filter  /api/events with place, actor or min_sources (the names tables)
#   detail  /api/events/{id} for 1,000 ids
#   map     /api/events?limit=5000&offset=K, the pages the web map loads
#   geojson /api/events.geojson with a bbox and a year
#   control /api/places/{id}/control for the 20 busiest places
# and reports the server's CPU time (user+sys from /proc) per scenario.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DB=${1:-/tmp/sitrep-load.db}
DUR=${2:-20s}
CONN=${3:-8}
SITREP=${SITREP:-target/release/sitrep}
PORT=${PORT:-8089}
BASE=http://127.0.0.1:$PORT
SCENARIOS=${SCENARIOS:-query filter detail map geojson control}
work=$(mktemp -d)

if [ ! -f "$DB" ]; then
  "$SITREP" bench store --events 100000 --out "$DB"
fi
"$SITREP" --db "$DB" serve --addr "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fs "$BASE/api/health" >"$work/health.json" 2>/dev/null && break
  sleep 0.2
done
echo "store: $DB ($(du -h "$DB" | cut -f1)), $(cat "$work/health.json")"

# Path lists.
curl -fs "$BASE/api/events?limit=1000&offset=5000" |
  python3 -c 'import json,sys,urllib.parse as u; [print("/api/events/"+u.quote(e["id"],safe="")) for e in json.load(sys.stdin)["events"]]' \
    >"$work/detail"
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fused_events"] or json.load(open(sys.argv[1]))["events"])' "$work/health.json")
for ((k = 0; k < total; k += 5000)); do echo "/api/events?limit=5000&offset=$k"; done >"$work/map"
curl -fs "$BASE/api/places" |
  python3 -c 'import json,sys; [print("/api/places/%d/control" % p["geonames_id"]) for p in json.load(sys.stdin)["places"][:20] if p.get("geonames_id")]' \
    >"$work/control"
cat >"$work/query" <<'Q'
/api/events
/api/events?limit=50&offset=1000
/api/events?type=Armed%20clash&limit=50
/api/events?type=Battles&offset=200&limit=100
/api/events?from=2016-01-01&to=2016-03-31
/api/events?from=2015-06-01&to=2015-06-30&type=Air%2Fdrone%20strike
/api/events?bbox=36.9,35.9,37.4,36.4&limit=100
/api/events?bbox=36.9,35.9,37.4,36.4&from=2016-01-01&to=2016-12-31&offset=100
/api/events?type=Peaceful%20protest&offset=500&limit=50
/api/events?source=documents&limit=50&offset=20000
/api/events?source=documents&type=Attack&from=2017-01-01
Q
cat >"$work/filter" <<'Q'
/api/events?place=Aleppo&limit=20
/api/events?place=Idlib&from=2017-01-01&to=2017-12-31
/api/events?actor=rebel&limit=20
/api/events?min_sources=2&limit=20
Q
cat >"$work/geojson" <<'Q'
/api/events.geojson?bbox=36.9,35.9,37.4,36.4&from=2016-01-01&to=2016-12-31
/api/events.geojson?bbox=35.0,33.0,37.0,35.0&from=2017-01-01&to=2017-12-31
Q

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
for s in $SCENARIOS; do
  echo "== $s ($(wc -l <"$work/$s") paths; $(uptime | sed 's/.*load/load/'))"
  # Let requests abandoned by the previous scenario finish first.
  while [ "$(awk '{print $14 + $15}' "/proc/$pid/stat")" != "$(sleep 1; cpu)" ]; do :; done
  before=$(cpu)
  wrk -t2 -c"$CONN" -d"$DUR" --timeout 30s --latency -s "$here/paths.lua" "$BASE" -- "$work/$s" |
    tee "$work/out"
  after=$(cpu)
  n=$(awk '/requests in/ {print $1}' "$work/out")
  ms=$(( (after - before) * 1000 / hz ))
  echo "server CPU (user+sys): $ms ms; per request: $(( ms / (n > 0 ? n : 1) )) ms"
done
grep -v '^sitrep serving' "$work/serve.log" || true
