namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// A build of the DataApi that the real-process tests run: the JIT build (<c>dotnet Monitoring.DataApi.dll</c>, from
/// the tests' own build) or the native (AOT) executable that test.sh publishes into <c>artifacts/aot/</c> before the
/// tests. The native build is the container image's; its cases never skip: without a current executable they fail,
/// naming the command that publishes it.
/// </summary>
public sealed class DataApiBuild
{
    /// <summary>What test.sh runs; the tests never publish themselves (minutes of native compilation).</summary>
    public const string PublishCommand = "dotnet publish Monitoring.DataApi -c Release --use-current-runtime -p:PublishAot=true -o artifacts/aot";

    private readonly Func<IReadOnlyList<string>> _command;

    private DataApiBuild(string name, Func<IReadOnlyList<string>> command)
    {
        Name = name;
        _command = command;
    }

    public static DataApiBuild Jit { get; } = new("jit", JitCommand);

    public static DataApiBuild Aot { get; } = new("aot", NativeCommand);

    public static string NativeExecutable => Path.Combine(RepositoryPaths.Root, "artifacts", "aot", "Monitoring.DataApi");

    /// <summary>"jit" or "aot".</summary>
    public string Name { get; }

    /// <summary>The program and its first arguments; fails the test when the build is missing or older than its sources.</summary>
    public IReadOnlyList<string> Command => _command();

    public override string ToString() => Name;

    private static IReadOnlyList<string> JitCommand()
    {
        Assert.True(File.Exists(RepositoryPaths.DataApiAssembly), $"Not built: {RepositoryPaths.DataApiAssembly}");
        return ["dotnet", RepositoryPaths.DataApiAssembly];
    }

    private static IReadOnlyList<string> NativeCommand()
    {
        var executable = new FileInfo(NativeExecutable);
        Assert.True(executable.Exists,
            $"The DataApi's native (AOT) executable is not published: {executable.FullName}. ./test.sh publishes it; "
            + $"by hand, in {RepositoryPaths.Root}: {PublishCommand}");
        var newerSource = NewestSource();
        Assert.True(newerSource.LastWriteTimeUtc <= executable.LastWriteTimeUtc,
            $"The DataApi's native (AOT) executable is older than {newerSource.FullName}: it would test old code. "
            + $"Publish it again, in {RepositoryPaths.Root}: {PublishCommand}");
        return [executable.FullName];
    }

    /// <summary>
    /// The newest source of the native executable: the DataApi's and the service defaults' code and project files, and
    /// the shared build settings. Only files that a publish compiles again when they change: a newer file that it does
    /// not compile (launchSettings.json, say) would leave the executable as it was and this check failing.
    /// </summary>
    private static FileInfo NewestSource()
    {
        var projects = new[] { "Monitoring.DataApi", "Monitoring.ServiceDefaults" }
            .SelectMany(project => new DirectoryInfo(Path.Combine(RepositoryPaths.Root, project)).EnumerateFiles("*", SearchOption.AllDirectories))
            .Where(file => file.Extension is ".cs" or ".csproj" && !IsBuildOutput(file));
        var shared = new[] { "Directory.Build.props", "Directory.Packages.props" }
            .Select(name => new FileInfo(Path.Combine(RepositoryPaths.Root, name)))
            .Where(file => file.Exists);
        return projects.Concat(shared).MaxBy(file => file.LastWriteTimeUtc)!;
    }

    private static bool IsBuildOutput(FileInfo file)
    {
        var relative = Path.GetRelativePath(RepositoryPaths.Root, file.FullName).Split(Path.DirectorySeparatorChar);
        return relative.Length > 2 && relative[1] is "bin" or "obj";
    }
}
