#!/usr/bin/env bash
# Throughput of the NATS worker pool: 1 worker, then N workers in parallel,
# on the same reports. Prints wall time and CPU time (user+sys, from
# /usr/bin/time) per run. Starts its own nats-server (JetStream, temporary
# store, free port) and stops it at the end.
#
#   bench/queue_bench.sh REPORTS.jsonl [N] [SITREP_BINARY]
#
# REPORTS.jsonl: e.g. the corpus.jsonl written by bench/warc_corpus.py.
set -euo pipefail
reports=$1
n=${2:-2}
bin=${3:-target/release/sitrep}
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listen: 127.0.0.1:%s\nmax_payload: 8MB\njetstream { store_dir: "%s/js" }\n' "$port" "$tmp" > "$tmp/nats.conf"
nats=$(command -v nats-server || echo /usr/sbin/nats-server)
"$nats" -c "$tmp/nats.conf" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
url="nats://127.0.0.1:$port"
docs=$(grep -c . "$reports")
echo "reports: $docs ($reports), load: $(uptime | sed 's/.*load average: //')"
for workers in 1 "$n"; do
    prefix="b$workers"
    "$bin" --quiet publish --nats "$url" --prefix "$prefix" "$reports" >/dev/null
    start=$(date +%s.%N)
    pids=()
    for i in $(seq "$workers"); do
        /usr/bin/time -f "%U %S" -o "$tmp/time.$workers.$i" \
            "$bin" --quiet worker --nats "$url" --prefix "$prefix" --idle-exit 2 >/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    end=$(date +%s.%N)
    cpu=$(cat "$tmp"/time."$workers".* | awk '{s+=$1+$2} END {print s}')
    # The 2 s idle wait at the end is not work: take it off the wall time.
    wall=$(echo "$end - $start - 2" | bc)
    echo "workers=$workers wall=${wall}s cpu=${cpu}s docs/s(wall)=$(echo "$docs / $wall" | bc) docs/cpu-s=$(echo "$docs / $cpu" | bc)"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
