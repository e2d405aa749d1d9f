using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Monitoring.LoadBench.DataPath;

/// <summary>
/// A PostgreSQL of its own for the data-path anchor: initdb in a temporary folder, the postmaster pinned to the server
/// CPU (its backends inherit the pinning), listening on a free loopback port and on a Unix socket in that folder, with
/// <c>synchronous_commit=on</c> and <c>fsync=on</c>: every commit waits for its WAL flush, as every DataApi write
/// waits for its fsync. As root it runs as the <c>postgres</c> user (initdb and postgres refuse root). The folder is
/// removed when it stops, on Ctrl+C too.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "bench";
    public const string Database = "postgres";

    /// <summary>The role and database of the DataApi on PostgreSQL: its own, apart from pgbench's.</summary>
    public const string DataApiDatabase = "dataapi";
    private const string SystemUser = "postgres";

    private static readonly string[] Programs = ["initdb", "postgres", "pgbench", "psql", "pg_isready"];
    private static readonly ConcurrentDictionary<PostgresServer, byte> Running = new();
    private readonly Process _process;
    private readonly OutputTail _output = new();

    private PostgresServer(string bin, DirectoryInfo folder, Process process, int port)
    {
        Bin = bin;
        Folder = folder;
        _process = process;
        Port = port;
    }

    public string Bin { get; }

    public DirectoryInfo Folder { get; }

    public int Port { get; }

    public int MaxConnections { get; private set; }

    public string Version { get; private set; } = "";

    /// <summary>The postmaster: taskset and setpriv exec it, so this is its own process id.</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// The folder with initdb, postgres and pgbench: <paramref name="given"/>, else the newest under /usr/lib/postgresql;
    /// null, with the reason, when there is none.
    /// </summary>
    public static string? FindBin(string? given, out string reason)
    {
        var candidates = given is not null
            ? [given]
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .OrderByDescending(directory => int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0)
                    .Select(directory => Path.Combine(directory, "bin"))
                    .ToArray()
                : [];
        foreach (var bin in candidates)
        {
            if (Programs.All(program => File.Exists(Path.Combine(bin, program))))
            {
                reason = "";
                return bin;
            }
        }
        reason = given is not null
            ? $"no initdb, postgres, pgbench and psql in {given}"
            : "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres; apt-get install postgresql)";
        return null;
    }

    /// <summary>
    /// Starts it, with room for <paramref name="dataApiProcesses"/> DataApi processes on top of pgbench: each may keep a
    /// pooled connection per connection of the highest level open between windows.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(string bin, BenchOptions options, int dataApiProcesses = 0)
    {
        var folder = Directory.CreateTempSubdirectory("monitoring-loadbench-pg-");
        PostgresServer? server = null;
        try
        {
            var asUser = await RunAsArgumentsAsync();
            var socket = Path.Combine(folder.FullName, "socket");
            Directory.CreateDirectory(socket);
            if (asUser.Count > 0)
            {
                await Command.RunCheckedAsync("chown", ["-R", SystemUser, folder.FullName], TimeSpan.FromSeconds(30));
            }
            var data = Path.Combine(folder.FullName, "data");
            // --no-sync only spares initdb's own flush of the empty cluster; the server itself runs with fsync on.
            List<string> initdb = [.. asUser, Path.Combine(bin, "initdb"), "-D", data, "-U", User, "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"];
            await Command.RunCheckedAsync(initdb[0], initdb.Skip(1), TimeSpan.FromSeconds(120));

            var port = FreePort.Next();
            var startInfo = new ProcessStartInfo("taskset")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = folder.FullName,
            };
            var maxConnections = Math.Max(100, (options.Levels.Append(options.Connections).Max() * (1 + dataApiProcesses)) + 20 + (4 * dataApiProcesses));
            foreach (var argument in (string[])
                [
                    "-c", (options.PostgresCpu ?? options.ServerCpu).ToString(CultureInfo.InvariantCulture), .. asUser,
                    Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", socket,
                    "-c", "listen_addresses=127.0.0.1",
                    "-c", "synchronous_commit=on",
                    "-c", "fsync=on",
                    "-c", "max_connections=" + maxConnections.ToString(CultureInfo.InvariantCulture),
                ])
            {
                startInfo.ArgumentList.Add(argument);
            }
            var process = new Process { StartInfo = startInfo };
            server = new PostgresServer(bin, folder, process, port) { MaxConnections = maxConnections };
            var started = server;
            process.OutputDataReceived += (_, line) => started._output.Keep(line.Data);
            process.ErrorDataReceived += (_, line) => started._output.Keep(line.Data);
            process.Start();
            Running.TryAdd(server, 0);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            server.Version = (await server.PsqlAsync("SHOW server_version")).Trim();
            return server;
        }
        catch
        {
            if (server is not null)
            {
                // Stops it and removes the folder.
                await server.DisposeAsync();
            }
            else
            {
                folder.Delete(recursive: true);
            }
            throw;
        }
    }

    /// <summary>
    /// The same table as the DataApi's (timestamps as timestamptz), the items k0 … k(N−1) and the hot key, written in
    /// one statement; then VACUUM ANALYZE and a checkpoint, so that no seeding work lands in a window.
    /// </summary>
    public async Task SeedAsync(int items)
    {
        var last = (items - 1).ToString(CultureInfo.InvariantCulture);
        await PsqlAsync(
            """
            CREATE TABLE items (
                key        text PRIMARY KEY,
                value      text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            $$"""INSERT INTO items SELECT 'k' || i, '{"n":' || i || ',"text":"benchmark"}', now(), now() FROM generate_series(0, {{last}}) AS i""",
            """INSERT INTO items VALUES ('bench', '{"n":42,"text":"benchmark"}', now(), now())""",
            "VACUUM ANALYZE items",
            "CHECKPOINT");
    }

    /// <summary>
    /// The DataApi's own role and database (<see cref="DataApiDatabase"/>), empty: the DataApi creates its table at
    /// start. The connection string is the DataApi's <c>ConnectionStrings__data</c>, over TCP loopback like pgbench.
    /// </summary>
    public async Task<string> CreateDataApiDatabaseAsync()
    {
        await PsqlAsync($"CREATE ROLE {DataApiDatabase} LOGIN", $"CREATE DATABASE {DataApiDatabase} OWNER {DataApiDatabase}");
        return string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Database={DataApiDatabase};Username={DataApiDatabase}");
    }

    /// <summary>
    /// Items <paramref name="from"/> … <paramref name="to"/> − 1 straight into the table the DataApi created (keys already
    /// there are left as they are), then VACUUM ANALYZE and a checkpoint, as for pgbench's table.
    /// </summary>
    public Task SeedDataApiTableAsync(int from, int to) => PsqlOnAsync(DataApiDatabase,
        string.Create(CultureInfo.InvariantCulture,
            $$"""INSERT INTO items SELECT 'k' || i, '{"n":' || i || ',"text":"benchmark"}', now(), now() FROM generate_series({{from}}, {{to - 1}}) AS i ON CONFLICT (key) DO NOTHING"""),
        "VACUUM ANALYZE items",
        "CHECKPOINT");

    public double CpuSeconds()
    {
        EnsureRunning();
        return ProcStats.TreeCpuSeconds(Pid);
    }

    /// <summary>Pss of the postmaster and every child, summed: shared buffers counted once.</summary>
    public long ProportionalBytes() => ProcStats.TreeProportionalBytes(Pid);

    /// <summary>
    /// Waits until the backends of the last pgbench run are gone and reaped, so that their CPU time is in the
    /// postmaster's cutime + cstime when it is read (at most 5 s).
    /// </summary>
    public async Task WaitForIdleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (PgbenchBackends(countZombies: true) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until <paramref name="clients"/> backends of pgbench's role have started; false when the client ended
    /// first or <paramref name="timeout"/> passed.
    /// </summary>
    public async Task<bool> WaitForBackendsAsync(int clients, Task client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !client.IsCompleted)
        {
            EnsureRunning();
            if (PgbenchBackends(countZombies: false) >= clients)
            {
                return true;
            }
            await Task.Delay(10);
        }
        return false;
    }

    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new ServerExitedException($"postgres (pid {Pid}) exited with {_process.ExitCode}:{Environment.NewLine}{LastOutput()}");
        }
    }

    /// <summary>Runs the statements with psql, each in its own transaction; the output of all of them.</summary>
    public Task<string> PsqlAsync(params string[] statements) => PsqlOnAsync(Database, statements);

    /// <summary>Runs the statements with psql on <paramref name="database"/>, as the superuser <see cref="User"/>.</summary>
    public async Task<string> PsqlOnAsync(string database, params string[] statements) => await Command.RunCheckedAsync(Path.Combine(Bin, "psql"),
        [
            "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", database,
            .. statements.SelectMany(statement => new[] { "-c", statement }),
        ],
        TimeSpan.FromMinutes(5));

    /// <summary>
    /// Stops every PostgreSQL still running (immediate shutdown) and removes its folder: Ctrl+C and SIGTERM end the
    /// harness without running its finally blocks.
    /// </summary>
    public static void StopAll()
    {
        foreach (var server in Running.Keys)
        {
            server.Stop("-QUIT", TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>A fast shutdown (SIGINT: the backends end, a checkpoint is written), then the folder is removed.</summary>
    public ValueTask DisposeAsync()
    {
        Stop("-INT", TimeSpan.FromSeconds(30));
        return ValueTask.CompletedTask;
    }

    private void Stop(string signal, TimeSpan timeout)
    {
        if (!Running.TryRemove(this, out _))
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                using (var kill = Process.Start("kill", [signal, Pid.ToString(CultureInfo.InvariantCulture)]))
                {
                    kill.WaitForExit(5000);
                }
                if (!_process.WaitForExit(timeout))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            try
            {
                Folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A straggling backend still writing; nothing else uses the folder.
            }
            _process.Dispose();
        }
    }

    /// <summary>As root, the command that runs the rest of a command line as the postgres user (it execs, so process ids stay).</summary>
    private static async Task<IReadOnlyList<string>> RunAsArgumentsAsync()
    {
        var uid = (await Command.RunCheckedAsync("id", ["-u"], TimeSpan.FromSeconds(10))).Trim();
        if (uid != "0")
        {
            return [];
        }
        var (exitCode, _, _) = await Command.RunAsync("id", ["-u", SystemUser], TimeSpan.FromSeconds(10));
        return exitCode == 0
            ? ["setpriv", "--reuid", SystemUser, "--regid", SystemUser, "--init-groups"]
            : throw new InvalidOperationException($"Running as root, and there is no '{SystemUser}' user to run PostgreSQL as (initdb and postgres refuse root).");
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            EnsureRunning();
            var (exitCode, _, _) = await Command.RunAsync(Path.Combine(Bin, "pg_isready"),
                ["-q", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", Database], TimeSpan.FromSeconds(10));
            if (exitCode == 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"postgres was not ready within {timeout}:{Environment.NewLine}{LastOutput()}");
    }

    /// <summary>
    /// The postmaster's children that are backends of <see cref="User"/> (pgbench's and psql's role), by the process
    /// title PostgreSQL gives them ("postgres: bench postgres 127.0.0.1(port) …"), and, with
    /// <paramref name="countZombies"/>, children that have exited and are not reaped yet. The DataApi's pooled
    /// connections (role <see cref="DataApiDatabase"/>) and the background processes are not counted.
    /// </summary>
    private int PgbenchBackends(bool countZombies)
    {
        var prefix = "postgres: " + User + " ";
        var count = 0;
        foreach (var child in ProcStats.ChildrenOf(Pid))
        {
            try
            {
                if (countZombies && ProcStats.State(child) == 'Z')
                {
                    count++;
                    continue;
                }
                if (File.ReadAllText($"/proc/{child.ToString(CultureInfo.InvariantCulture)}/cmdline").StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Gone (and reaped) meanwhile.
            }
        }
        return count;
    }

    private string LastOutput() => _output.ToString();
}
