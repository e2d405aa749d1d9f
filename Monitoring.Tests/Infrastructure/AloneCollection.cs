namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// Tests that must have the machine to themselves: they measure time, memory (RSS, heap) or throughput, put a process
/// under load, kill processes or trace their system calls, or reuse a port after a restart. When the other classes run
/// in parallel (see AssemblyInfo.cs), xunit runs this collection after them, one test at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone on the machine";
}
