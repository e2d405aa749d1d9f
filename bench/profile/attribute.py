"""Attributes perf samples (perf script output, JIT frames named by the perf map) to metric code.

A sample counts as "recording" when any frame of its stack is metric code other than a middleware (the SDK's
aggregation, System.Diagnostics.Metrics, the framework's own metric classes, prometheus-net's collectors), and as
"middleware" when its innermost frame is a metrics middleware itself (the work around the recording: timestamps,
feature swaps, counting wrappers). Everything the middleware calls into that is not metric code is not counted.
"""
import re
import sys

RECORDING = re.compile(r"\[Prometheus|DataApiMetrics::|\[OpenTelemetry|System\.Diagnostics\.Metrics|HttpSeries"
                       r"|Hosting.*Metrics|RoutingMetrics|MetricsContext")
# Frames that wrap the rest of the pipeline: under them is the whole request, not only metric code. OpenTelemetry's
# ASP.NET Core instrumentation adds such a wrapper (it tags unhandled exceptions for http.server.request.duration).
MIDDLEWARE = re.compile(r"Middleware|StartupFilter")
METRICS_MIDDLEWARE = re.compile(r"HttpMetricsMiddleware|Counting(Response|Request)|Prometheus\.HttpMetrics|HttpServerErrorTypeStartupFilter")


def frames(sample):
    return [re.sub(r"^\S+\s+", "", line.strip()) for line in sample.strip().split("\n")[1:]]


def main(path, variant, cpu_microseconds_per_request):
    total = recording = middleware = 0
    with open(path, encoding="utf-8", errors="replace") as text:
        for sample in text.read().split("\n\n"):
            stack = frames(sample)
            if not stack:
                continue
            total += 1
            if any(RECORDING.search(frame) and not MIDDLEWARE.search(frame) for frame in stack):
                recording += 1
            elif METRICS_MIDDLEWARE.search(stack[0]):
                middleware += 1
    cpu = float(cpu_microseconds_per_request)
    share = (recording + middleware) / total
    print(f"{variant}: {total} samples; {cpu:.1f} µs CPU/request while recorded (sampling adds to it; the shares are the steadier figure)")
    print(f"  recording   {100 * recording / total:5.2f} %  ≈ {cpu * recording / total:4.1f} µs/request")
    print(f"  middleware  {100 * middleware / total:5.2f} %  ≈ {cpu * middleware / total:4.1f} µs/request")
    print(f"  metric code {100 * share:5.2f} %  ≈ {cpu * share:4.1f} µs/request")


if __name__ == "__main__":
    main(*sys.argv[1:4])
