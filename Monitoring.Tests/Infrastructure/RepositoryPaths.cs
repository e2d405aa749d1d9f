namespace Monitoring.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The folder that holds Monitoring.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The DataApi's own build output, built with the same configuration as this test assembly.</summary>
    public static string DataApiAssembly => BuildOutput("Monitoring.DataApi");

    /// <summary>
    /// A project's main assembly in its own bin folder, same configuration and framework as the tests.
    /// <paramref name="project"/> is the project's folder relative to the root ("bench/Monitoring.Peers"); the assembly is
    /// named after the folder's last segment.
    /// </summary>
    public static string BuildOutput(string project)
    {
        var folder = Path.Combine(project.Split('/', '\\'));
        return Path.Combine(Root, folder, "bin", Configuration, Framework, Path.GetFileName(folder) + ".dll");
    }

    /// <summary>The build configuration of this test assembly (Debug or Release), from .../Monitoring.Tests/bin/&lt;Configuration&gt;/&lt;tfm&gt;/.</summary>
    public static string Configuration => TestOutput.Parent!.Name;

    private static string Framework => TestOutput.Name;

    private static DirectoryInfo TestOutput => new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Monitoring.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Monitoring.sln not found above " + AppContext.BaseDirectory);
    }
}
