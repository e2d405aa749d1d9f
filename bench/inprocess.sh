#!/usr/bin/env bash
# The in-process suite: GET /data/{key} through the DataApi's pipeline per metrics stack (HttpPipelineBenchmarks) and
# the recording path against the SDK's own measurements (RecordingPathBenchmarks), in one BenchmarkDotNet run.
# Writes bench/results/inprocess-<UTC timestamp>.md. Arguments go to BenchmarkDotNet (e.g. --job short for a look;
# a --filter of their own replaces the two classes).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build -c Release -v q bench/Monitoring.Benchmarks
stamp=$(date -u +%Y%m%dT%H%M%SZ)
artifacts=$(mktemp -d)
filter=(--filter '*HttpPipelineBenchmarks*' '*RecordingPathBenchmarks*')
[[ " $* " == *" --filter "* ]] && filter=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
dotnet bench/Monitoring.Benchmarks/bin/Release/net10.0/Monitoring.Benchmarks.dll \
  "${filter[@]}" --exporters github --artifacts "$artifacts" "$@"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
compgen -G "$artifacts/results/*-report-github.md" >/dev/null || { echo "BenchmarkDotNet wrote no results" >&2; exit 1; }

report=bench/results/inprocess-$stamp.md
{
  echo "# In-process benchmarks, $stamp"
  echo
  echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results' || echo ' (with uncommitted changes)'),"
  echo "$(nproc) CPUs, load average $load_before before and $load_after after. Command: \`bench/inprocess.sh $*\`."
  echo "Error is half of the 99.9 % confidence interval; Ratio and Alloc Ratio are against each table's baseline."
  for table in "$artifacts"/results/*-report-github.md; do
    echo
    echo "## $(basename "$table" -report-github.md | sed 's/^Monitoring\.Benchmarks\.//')"
    echo
    cat "$table"
  done
} > "$report"
rm -rf "$artifacts"
echo "Report: $report"
