using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Monitoring.Benchmarks.RecordingPathBenchmarks).Assembly).Run(args);
