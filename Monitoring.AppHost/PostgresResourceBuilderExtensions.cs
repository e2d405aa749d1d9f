using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Monitoring.AppHost;

/// <summary>
/// PostgreSQL with the database <see cref="DatabaseName"/> for the DataApi, either as a pinned container through
/// Aspire's PostgreSQL integration, or from Debian's <c>postgresql</c> binaries as a <see cref="LocalPostgresResource"/>.
/// Either way the DataApi gets <c>ConnectionStrings__data</c> by reference, and the password is a secret parameter.
/// </summary>
public static class PostgresResourceBuilderExtensions
{
    public const string ImageTag = "18.3";
    public const string DatabaseName = "data";
    public const string UserName = "postgres";
    public const string InstallPostgres = "sudo apt-get install postgresql";

    /// <summary>The binaries' folder when set; else the newest <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>.</summary>
    public const string BinSettingName = "Monitoring:PostgresBin";

    private const string DebianRoot = "/usr/lib/postgresql";
    private static readonly string[] Programs = ["initdb", "postgres"];

    /// <summary>The <c>postgres</c> container (pinned tag, its data in a named volume) and its database <see cref="DatabaseName"/>.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddPostgresContainer(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> password) =>
        builder.AddPostgres(name, password: password)
            .WithImageTag(ImageTag)
            .WithDataVolume()
            .AddDatabase(DatabaseName);

    /// <summary>
    /// The folder holding <c>initdb</c> and <c>postgres</c>: <paramref name="configured"/> when given, else the newest
    /// under /usr/lib/postgresql; null when there is none.
    /// </summary>
    public static string? FindBinaries(string? configured)
    {
        string[] candidates = configured is { Length: > 0 }
            ? [configured]
            : Directory.Exists(DebianRoot)
                ? Directory.GetDirectories(DebianRoot)
                    .OrderByDescending(folder => int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0)
                    .Select(folder => Path.Combine(folder, "bin"))
                    .ToArray()
                : [];
        return candidates.FirstOrDefault(folder => Programs.All(program => File.Exists(Path.Combine(folder, program))));
    }

    /// <summary>
    /// PostgreSQL from the binaries in <paramref name="binaries"/>, its cluster in <paramref name="runDirectory"/>: created
    /// with initdb (password authentication, the database <see cref="DatabaseName"/> created in single-user mode) just
    /// before it starts; listening on 127.0.0.1 only, on the port Aspire allocates for its <c>tcp</c> endpoint, and on a
    /// Unix socket in the run folder; healthy once <see cref="DatabaseName"/> answers a query. As root it runs as the
    /// <c>postgres</c> user, since initdb and postgres refuse root. Stopped with the AppHost, like every executable.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddPostgresExecutable(
        this IDistributedApplicationBuilder builder, string name, string binaries, string runDirectory, IResourceBuilder<ParameterResource> password)
    {
        // setpriv execs the program, so the process Aspire stops is the postmaster itself.
        string[] runAs = Environment.IsPrivilegedProcess
            ? ["setpriv", "--reuid", UserName, "--regid", UserName, "--init-groups"]
            : [];
        var dataDirectory = Path.Combine(runDirectory, "data");
        var socketDirectory = Path.Combine(runDirectory, "socket");
        var postgres = Path.Combine(binaries, "postgres");

        var resource = new LocalPostgresResource(name, runAs.Length > 0 ? runAs[0] : postgres, runDirectory, password.Resource);
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey, _ => new LocalPostgresHealthCheck(resource), failureStatus: null, tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            var secret = await password.Resource.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException($"The parameter '{password.Resource.Name}' has no value.");
            await LocalPostgresCluster.CreateAsync(runAs, binaries, runDirectory, dataDirectory, socketDirectory, secret, logger, cancellationToken);
        });

        return builder.AddResource(resource)
            .WithEndpoint(name: LocalPostgresResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                foreach (var argument in runAs.Skip(1))
                {
                    context.Args.Add(argument);
                }
                if (runAs.Length > 0)
                {
                    context.Args.Add(postgres);
                }
                context.Args.Add("-D");
                context.Args.Add(dataDirectory);
                context.Args.Add("-p");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-k");
                context.Args.Add(socketDirectory);
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
            })
            .WithHealthCheck(healthCheckKey);
    }
}

/// <summary>
/// PostgreSQL run from local binaries, with the connection string of its database
/// <see cref="PostgresResourceBuilderExtensions.DatabaseName"/> built from its endpoint (so no port is written anywhere).
/// </summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new EndpointReference(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Database={PostgresResourceBuilderExtensions.DatabaseName};Username={PostgresResourceBuilderExtensions.UserName};Password={Password}");
}

/// <summary>Healthy once the database answers <c>SELECT 1</c> with the DataApi's own connection string.</summary>
internal sealed class LocalPostgresHealthCheck(LocalPostgresResource resource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // No pool: an idle connection kept by the AppHost would hold PostgreSQL's shutdown.
            var connectionString = new NpgsqlConnectionStringBuilder(await resource.ConnectionStringExpression.GetValueAsync(cancellationToken)) { Pooling = false };
            await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: exception);
        }
    }
}

/// <summary>Creates a PostgreSQL cluster with one database, once per run folder.</summary>
internal static class LocalPostgresCluster
{
    public static async Task CreateAsync(
        string[] runAs, string binaries, string runDirectory, string dataDirectory, string socketDirectory, string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return; // Restarted from the dashboard: the cluster is there.
        }
        Directory.CreateDirectory(socketDirectory);
        var passwordFile = Path.Combine(runDirectory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            if (runAs.Length > 0)
            {
                await RunAsync([], "chown", ["-R", $"{PostgresResourceBuilderExtensions.UserName}:", runDirectory], null, logger, cancellationToken);
            }
            // --no-sync spares only initdb's flush of the empty cluster; the server runs with fsync on.
            await RunAsync(runAs, Path.Combine(binaries, "initdb"), ["-D", dataDirectory, "-U", PostgresResourceBuilderExtensions.UserName,
                $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync"], null, logger, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        // Single-user mode: the database exists before the server accepts its first connection.
        await RunAsync(runAs, Path.Combine(binaries, "postgres"), ["--single", "-D", dataDirectory, "postgres"],
            $"CREATE DATABASE {PostgresResourceBuilderExtensions.DatabaseName};\n", logger, cancellationToken);
        LocalPostgresLog.ClusterCreated(logger, dataDirectory, PostgresResourceBuilderExtensions.DatabaseName);
    }

    /// <param name="runAs">The command that runs <paramref name="program"/> as the postgres user, or nothing.</param>
    private static async Task RunAsync(
        string[] runAs, string program, string[] arguments, string? input, ILogger logger, CancellationToken cancellationToken)
    {
        string[] command = [.. runAs, program, .. arguments];
        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output + await error).Trim();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' exited with {process.ExitCode}: {text}");
        }
        var name = Path.GetFileName(program);
        LocalPostgresLog.CommandRan(logger, name, text);
    }
}

internal static partial class LocalPostgresLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL cluster created in {DataDirectory} with the database '{Database}'.")]
    public static partial void ClusterCreated(ILogger logger, string dataDirectory, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Program}: {Output}")]
    public static partial void CommandRan(ILogger logger, string program, string output);
}
