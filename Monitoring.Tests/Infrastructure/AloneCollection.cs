namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// Tests that must have the machine to themselves: they measure time, memory (RSS, heap) or throughput, put a process
/// under load, kill processes or trace their system calls, or reuse a port after a restart. xunit runs this collection
/// after all the others, one test at a time; everything else runs in parallel (see AssemblyInfo.cs).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone on the machine";
}
