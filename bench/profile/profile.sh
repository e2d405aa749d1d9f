#!/usr/bin/env bash
# Where a server's CPU goes under load, and how much of it is metric code: perf samples with the JIT's perf map,
# attributed by attribute.py. Run from the repository root after `dotnet build -c Release Monitoring.sln`:
#   bench/profile/profile.sh dataapi|dataapi-metrics-off|bare|otel|prometheus-net [warm-up seconds] [record seconds]
# Needs perf (apt-get install linux-perf), wrk and taskset; the server is pinned to CPU 0, wrk to CPU 1.
set -euo pipefail

variant=${1:?variant: dataapi, dataapi-metrics-off, bare, otel or prometheus-net}
warmup=${2:-60}
record=${3:-20}
root=$(pwd)
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
env_vars=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ASPNETCORE_ENVIRONMENT=Production HOST=127.0.0.1 PORT=$port)

case $variant in
  dataapi | dataapi-metrics-off)
    bin=$root/Monitoring.DataApi/bin/Release/net10.0
    enabled=$([ "$variant" = dataapi ] && echo true || echo false)
    command=(dotnet Monitoring.DataApi.dll)
    env_vars+=(DATA_PATH=$work/data.db METRICS_ENABLED=$enabled) ;;
  bare | otel | prometheus-net)
    bin=$root/bench/Monitoring.Peers/bin/Release/net10.0
    command=(dotnet Monitoring.Peers.dll --variant "$variant") ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac

# The content root is the working directory: appsettings.json (log levels) must be found.
(cd "$bin" && env "${env_vars[@]}" taskset -c 0 "${command[@]}" > "$work/server.log" 2>&1) &
for _ in $(seq 100); do
  pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "server did not start; see $work/server.log" >&2; exit 1; }
trap 'kill -TERM $pid 2>/dev/null || true' EXIT

url=http://127.0.0.1:$port/data/bench
# The DataApi may listen before its store is ready; the peers answer the route from memory and have no POST.
for _ in $(seq 100); do
  curl -sf -o /dev/null "$url" && break
  curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"key":"bench","value":{"n":42,"text":"benchmark"}}' "http://127.0.0.1:$port/data" || sleep 0.1
done
curl -sf -o /dev/null "$url" || { echo "GET $url does not answer 200; see $work/server.log" >&2; exit 1; }
taskset -c 1 wrk -t1 -c16 -d"${warmup}s" "$url" > /dev/null

cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
taskset -c 1 wrk -t1 -c16 -d"$((record + 1))s" "$url" > "$work/wrk.txt" &
wrk_pid=$!
perf record -F 2999 -g -p "$pid" -o "$work/perf.data" -- sleep "$record" > /dev/null 2>&1
wait $wrk_pid
cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")

perf script -i "$work/perf.data" 2> /dev/null > "$work/perf.txt"
ticks_per_second=$(getconf CLK_TCK)
python3 "$root/bench/profile/attribute.py" "$work/perf.txt" "$variant" \
  "$(awk -v t=$((cpu_after - cpu_before)) -v r="$requests" -v hz="$ticks_per_second" 'BEGIN {printf "%.1f", t * 1e6 / hz / r}')"
echo "perf data and the server's log: $work"
