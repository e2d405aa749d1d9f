using System.Diagnostics;
using System.Text;

namespace Monitoring.Tests.Infrastructure;

/// <summary>A child process whose standard output and error are collected as they arrive.</summary>
public sealed class CapturedProcess : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CapturedProcess(Process process) => Process = process;

    public Process Process { get; }

    public string StandardOutput => Read(_stdout);

    public string StandardError => Read(_stderr);

    /// <summary>Both streams, for failure messages.</summary>
    public string Output => StandardError + StandardOutput;

    public static CapturedProcess Start(
        string assembly, IReadOnlyDictionary<string, string> environment, IEnumerable<string> inheritedPrefixesToDrop, params string[] arguments) =>
        StartThrough([], assembly, environment, inheritedPrefixesToDrop, arguments);

    /// <summary>
    /// Runs <c>dotnet assembly</c> through <paramref name="launcher"/>, a command that runs the rest of its command line
    /// in its own process (e.g. <c>prlimit --nofile=1024:1024 --</c>), so that the process id is the assembly's.
    /// </summary>
    public static CapturedProcess StartThrough(
        IReadOnlyList<string> launcher, string assembly, IReadOnlyDictionary<string, string> environment,
        IEnumerable<string> inheritedPrefixesToDrop, params string[] arguments)
    {
        Assert.True(File.Exists(assembly), $"Not built: {assembly}");
        return StartCommandThrough(launcher, ["dotnet", assembly], Path.GetDirectoryName(assembly)!, environment, inheritedPrefixesToDrop, arguments);
    }

    /// <summary>
    /// Runs <paramref name="command"/> (a program and its first arguments: <c>dotnet app.dll</c>, or a native
    /// executable alone) through <paramref name="launcher"/>, in <paramref name="workingDirectory"/>.
    /// </summary>
    public static CapturedProcess StartCommandThrough(
        IReadOnlyList<string> launcher, IReadOnlyList<string> command, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, IEnumerable<string> inheritedPrefixesToDrop, params string[] arguments)
    {
        var commandLine = launcher.Concat(command).Concat(arguments).ToList();
        var startInfo = new ProcessStartInfo(commandLine[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }
        var dropped = inheritedPrefixesToDrop.ToList();
        foreach (var key in startInfo.Environment.Keys.Where(key => dropped.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            startInfo.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var captured = new CapturedProcess(new Process { StartInfo = startInfo });
        captured.Process.OutputDataReceived += (_, line) => Append(captured._stdout, line.Data);
        captured.Process.ErrorDataReceived += (_, line) => Append(captured._stderr, line.Data);
        captured.Process.Start();
        captured.Process.BeginOutputReadLine();
        captured.Process.BeginErrorReadLine();
        return captured;
    }

    public void Dispose() => Process.Dispose();

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is not null)
        {
            lock (buffer)
            {
                buffer.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}
