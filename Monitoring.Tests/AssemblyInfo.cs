// One test at a time, for speed's sake rather than correctness. Two in-process DataApi hosts do not count each
// other's requests (each records into a meter of its own: MeterScope.Local in AddDataApi), and the suite passes with
// its test classes in parallel. But on two cores that saves nothing measurable: what may overlap is a few dozen seconds
// of CPU-bound host and process starts, while the load, memory, kill, trace, browser and whole-stack tests must have
// the machine to themselves anyway. Those are in AloneCollection and StackCollection (DisableParallelization), so on a
// machine with more cores `./test.sh -- xUnit.ParallelizeTestCollections=true` runs the others in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
