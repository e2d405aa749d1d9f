namespace Monitoring.LoadBench;

/// <summary>Where the servers' build outputs are, for one build configuration.</summary>
internal sealed class RepositoryLayout(string root, string configuration)
{
    private const string Framework = "net10.0";

    public string Root { get; } = root;

    public string DataApiAssembly => Output("Monitoring.DataApi");

    public string PeersAssembly => Output(Path.Combine("bench", "Monitoring.Peers"));

    /// <summary>The DataApi's native (AOT) executable, where test.sh and the publish command in bench/README.md put it.</summary>
    public string DataApiNativeExecutable => Path.Combine(Root, "artifacts", "aot", "Monitoring.DataApi");

    /// <summary>The command that publishes <see cref="DataApiNativeExecutable"/>, run in <see cref="Root"/>.</summary>
    public const string NativePublishCommand = "dotnet publish Monitoring.DataApi -c Release --use-current-runtime -p:PublishAot=true -o artifacts/aot";

    public static string FindRoot(string? given)
    {
        if (given is not null)
        {
            return Path.GetFullPath(given);
        }
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Monitoring.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        throw new InvalidOperationException("Monitoring.sln not found; run from the repository or pass --root.");
    }

    /// <summary>Fails with the build command when an output is missing: the harness never builds anything itself.</summary>
    public void EnsureBuilt()
    {
        foreach (var assembly in new[] { DataApiAssembly, PeersAssembly })
        {
            if (!File.Exists(assembly))
            {
                throw new InvalidOperationException($"Not built: {assembly}. Run `dotnet build -c {configuration}` in {Root} first.");
            }
        }
    }

    /// <summary>Fails with the publish command when the native executable is missing.</summary>
    public void EnsureNativePublished()
    {
        if (!File.Exists(DataApiNativeExecutable))
        {
            throw new InvalidOperationException($"Not published: {DataApiNativeExecutable}. Run `{NativePublishCommand}` in {Root} first.");
        }
    }

    private string Output(string project) =>
        Path.Combine(Root, project, "bin", configuration, Framework, Path.GetFileName(project) + ".dll");
}
