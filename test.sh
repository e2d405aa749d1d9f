#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test.
#
#   ./test.sh                          all tests
#   ./test.sh --filter WholeStack      arguments are passed on to `dotnet test`
#
# Besides the .NET SDK (and clang and zlib, which its native AOT compiler links with) the tests run real tools: prometheus and promtool (the whole-stack tests run a real Prometheus;
# promtool checks /metrics, the configuration and the alert rules), Alertmanager and amtool (the alert delivery test runs a
# real Alertmanager; amtool checks its configuration), Chromium (the browser test of the Aspire
# dashboard; Playwright drives /usr/bin/chromium), wrk (the load harness's smoke test), strace (the test that the
# WAL is fsynced before a write is acknowledged), VictoriaMetrics (the whole-stack tests' receiver of Prometheus's
# remote_write) and PostgreSQL's server binaries (the store conformance tests start a PostgreSQL of their own from
# /usr/lib/postgresql/*/bin). On Debian and Ubuntu the missing ones are installed with apt-get (through sudo when not
# root); elsewhere each missing tool is named with how to get it.
set -euo pipefail
cd "$(dirname "$0")"

missing_packages=()  # Debian packages to install
missing_hints=()     # one line per missing tool, for machines without apt-get
need_sdk=false

command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || {
  missing_packages+=(prometheus)
  missing_hints+=("prometheus and promtool: https://prometheus.io/download/ (Debian/Ubuntu: apt-get install prometheus; macOS: brew install prometheus)")
}
command -v amtool >/dev/null 2>&1 && { command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1; } || {
  missing_packages+=(prometheus-alertmanager)
  missing_hints+=("alertmanager and amtool: https://prometheus.io/download/#alertmanager (Debian/Ubuntu: apt-get install prometheus-alertmanager)")
}
[[ -x /usr/bin/chromium ]] || {
  missing_packages+=(chromium fonts-liberation)
  missing_hints+=("/usr/bin/chromium: the browser test drives Chromium at that path (Debian/Ubuntu: apt-get install chromium fonts-liberation)")
}
command -v wrk >/dev/null 2>&1 || {
  missing_packages+=(wrk)
  missing_hints+=("wrk: https://github.com/wg/wrk (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)")
}
command -v strace >/dev/null 2>&1 || {
  missing_packages+=(strace)
  missing_hints+=("strace: Linux only (Debian/Ubuntu: apt-get install strace)")
}
command -v victoria-metrics >/dev/null 2>&1 || {
  missing_packages+=(victoria-metrics)
  missing_hints+=("victoria-metrics: https://docs.victoriametrics.com/ (Debian/Ubuntu: apt-get install victoria-metrics)")
}
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || {
  missing_packages+=(postgresql)
  missing_hints+=("PostgreSQL server binaries in /usr/lib/postgresql/*/bin (initdb, pg_ctl, postgres): Debian/Ubuntu: apt-get install postgresql")
}
command -v clang >/dev/null 2>&1 && [[ -e /usr/include/zlib.h ]] || {
  missing_packages+=(clang zlib1g-dev)
  missing_hints+=("clang and zlib headers: the native (AOT) publish of the DataApi links with them (Debian/Ubuntu: apt-get install clang zlib1g-dev)")
}
command -v dotnet >/dev/null 2>&1 || need_sdk=true

if (( ${#missing_packages[@]} > 0 )); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null 2>&1 || {
        echo "Installing ${missing_packages[*]} needs root: run 'apt-get install ${missing_packages[*]}' as root, then ./test.sh again" >&2
        exit 1
      }
      sudo=(sudo)
    fi
    echo "Installing ${missing_packages[*]} (apt-get)"
    apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
    "${apt[@]}" update -qq
    "${apt[@]}" install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
  else
    echo "The tests need tools that are missing here, and there is no apt-get to install them:" >&2
    printf '  %s\n' "${missing_hints[@]}" >&2
    [[ $need_sdk == false ]] || echo "  dotnet: the .NET 10 SDK, https://dot.net/download" >&2
    exit 1
  fi
fi
if [[ $need_sdk == true ]]; then
  echo "The tests need the .NET 10 SDK (dotnet is not on PATH): https://dot.net/download" >&2
  exit 1
fi

# The versions the tests run against, so that a log shows them.
echo "Tools: $(prometheus --version 2>&1 | head -n 1)"
echo "       $(promtool --version 2>&1 | head -n 1)"
echo "       $(amtool --version 2>&1 | head -n 1)"
echo "       $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
echo "       $(wrk --version 2>&1 | head -n 1)"
echo "       $(strace -V 2>&1 | head -n 1)"
# Debian's victoria-metrics binary carries no version of its own: its package's then.
echo "       victoria-metrics $({ victoria-metrics -version 2>&1; dpkg-query -W -f '${Version}\n' victoria-metrics 2>/dev/null; } | grep -m 1 .)"
echo "       $("$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)" --version)"
echo "       $(clang --version 2>&1 | head -n 1)"
echo "       .NET SDK $(dotnet --version)"

# The DataApi's native (AOT) executable, which a set of real-process tests runs beside the JIT build
# (DataApiBuild in Monitoring.Tests). Published once here, not by the tests: native compilation takes minutes. It is
# compiled again after any build of the solution too, whose restore rewrites the project's assets file (no runtime
# identifier), which the native publish then sees as changed.
echo "Publishing the DataApi's native executable into artifacts/aot/"
dotnet publish Monitoring.DataApi -c Release --use-current-runtime -p:PublishAot=true -o artifacts/aot -v q -nologo

exec dotnet test Monitoring.sln "$@"
