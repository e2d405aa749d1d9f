namespace Monitoring.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The folder that holds Monitoring.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The DataApi's own build output, built with the same configuration as this test assembly.</summary>
    public static string DataApiAssembly => BuildOutput("Monitoring.DataApi");

    /// <summary>A project's main assembly in its own bin folder, same configuration and framework as the tests.</summary>
    public static string BuildOutput(string project)
    {
        // .../Monitoring.Tests/bin/<Configuration>/<tfm>/
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        return Path.Combine(Root, project, "bin", configuration, framework, project + ".dll");
    }

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
