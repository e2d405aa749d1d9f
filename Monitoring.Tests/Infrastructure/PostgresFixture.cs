using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Monitoring.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL of its own for a test class, from Debian's binaries (<c>./test.sh</c> installs <c>postgresql</c>):
/// initdb in a temporary folder, listening on a free loopback port and on a Unix socket in that folder, with
/// <c>fsync=on</c>. As root it runs as the <c>postgres</c> user (initdb and postgres refuse root). It can be stopped
/// and started again on the same port and data, as a database server that goes away and comes back. The class gets a
/// fresh database, <see cref="Database"/>, whose default collation is not bytewise.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string User = "tests";
    public const string Database = "conformance";
    private const string SystemUser = "postgres";

    private readonly string _bin = FindBin();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("monitoring-tests-pg-");
    private IReadOnlyList<string> _asUser = [];

    public int Port { get; } = FreePort.Next();

    private string Data => Path.Combine(_folder.FullName, "data");

    private string Socket => Path.Combine(_folder.FullName, "socket");

    private string Log => Path.Combine(_folder.FullName, "postgres.log");

    /// <summary>The class's database, as the DataApi's <c>ConnectionStrings__data</c>.</summary>
    public string ConnectionString => ConnectionStringOf(Database);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Socket);
        if (Environment.UserName == "root" || (await RunAsync("id", ["-u"])).Trim() == "0")
        {
            _asUser = ["runuser", "-u", SystemUser, "--"];
            await RunAsync("chown", ["-R", SystemUser, _folder.FullName]);
        }
        // --no-sync only spares initdb's own flush of the empty cluster; the server runs with fsync on.
        await RunAsPostgresAsync("initdb", ["-D", Data, "-U", User, "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"]);
        await StartAsync();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionStringOf("postgres")) { Pooling = false }.ToString());
        await connection.OpenAsync();
        // Sorting by ICU's root locale by default (B after a), so that only the store's own COLLATE "C" gives the
        // ordinal order the tests expect.
        await using var create = new NpgsqlCommand($"CREATE DATABASE {Database} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C'", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>Starts the server (again) on the same port and data, and waits until it accepts connections.</summary>
    public Task StartAsync() => RunAsPostgresAsync("pg_ctl",
    [
        "start", "-w", "-t", "60", "-D", Data, "-l", Log,
        "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {Socket} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on",
    ]);

    /// <summary>A fast shutdown: every session is ended and the server stops listening.</summary>
    public Task StopAsync() => RunAsPostgresAsync("pg_ctl", ["stop", "-w", "-t", "60", "-D", Data, "-m", "fast"]);

    /// <summary>
    /// An immediate shutdown, as of a crash: the server processes are killed without a checkpoint (the next start
    /// recovers from the WAL); what was only in shared memory, not yet written to the WAL files, is gone.
    /// </summary>
    public Task StopImmediatelyAsync() => RunAsPostgresAsync("pg_ctl", ["stop", "-w", "-t", "60", "-D", Data, "-m", "immediate"]);

    /// <summary>Runs a statement on the class's database, on a connection of its own (not pooled: the server may have restarted).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query on the class's database.</summary>
    public async Task<T> QueryAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopImmediatelyAsync();
        }
        catch (InvalidOperationException)
        {
            // Not running.
        }
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Under the temp folder; nothing else uses it.
        }
    }

    private string ConnectionStringOf(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Database = database,
    }.ToString();

    private Task<string> RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        _asUser.Count == 0
            ? RunAsync(Path.Combine(_bin, program), arguments)
            : RunAsync(_asUser[0], [.. _asUser.Skip(1), Path.Combine(_bin, program), .. arguments]);

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }

    /// <summary>The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl.</summary>
    private static string FindBin()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(directory => int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(directory => Path.Combine(directory, "bin"))
                .FirstOrDefault(candidate => File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "pg_ctl")))
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): ./test.sh installs it, or apt-get install postgresql.");
    }
}
