// OpenTelemetry's MeterProvider listens to meters by name across the whole process, so two DataApi hosts running at
// the same time would count each other's requests. The suite runs one test at a time to keep every count exact.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
