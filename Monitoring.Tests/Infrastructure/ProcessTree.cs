using System.Globalization;

namespace Monitoring.Tests.Infrastructure;

public static class ProcessTree
{
    /// <summary>The process and all its descendants, from /proc (Linux); elsewhere the process alone.</summary>
    public static IEnumerable<int> WithDescendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        if (OperatingSystem.IsLinux())
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), out var pid))
                {
                    continue;
                }
                try
                {
                    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so read after the last ')'.
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                    if (!children.TryGetValue(parent, out var list))
                    {
                        children[parent] = list = [];
                    }
                    list.Add(pid);
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
            }
        }

        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            yield return pid;
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }
    }
}
