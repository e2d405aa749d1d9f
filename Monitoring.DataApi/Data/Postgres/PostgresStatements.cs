namespace Monitoring.DataApi.Data.Postgres;

/// <summary>The SQL of the PostgreSQL store: its schema and every statement it runs.</summary>
/// <remarks>
/// Keys are <c>text COLLATE "C"</c>: compared and ordered by their UTF-8 bytes, as SQLite's BINARY collation does, so
/// pages and cursors are the same on both stores. Values are the minified UTF-8 JSON as given, kept as text (not jsonb,
/// which would reorder keys and respell numbers) and read back as its UTF-8 bytes.
/// </remarks>
internal static class PostgresStatements
{
    /// <summary>Statements each connection keeps prepared (Npgsql's <c>Max Auto Prepare</c>): more than the store runs.</summary>
    public const int PreparedPerConnection = 16;

    /// <summary>The advisory lock every replica takes around creating the schema, so that concurrent starts do not race.</summary>
    private const long SchemaLockId = 0x4D6F6E69746F7231; // "Monitor1"

    public static readonly string Schema = $"""
        SELECT pg_advisory_xact_lock({SchemaLockId});
        CREATE TABLE IF NOT EXISTS items (
            key        text COLLATE "C" NOT NULL PRIMARY KEY,
            value      text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS readiness_probe (
            id        integer NOT NULL PRIMARY KEY CHECK (id = 1),
            probed_at timestamptz NOT NULL
        );
        """;

    // One clock reading for both timestamps of a new item, so createdAt == updatedAt as with SQLite; updated_at never goes
    // below the stored one, so it never decreases even when clocks disagree. xmax = 0 only on the row version an INSERT
    // made: it tells created from replaced exactly, also when concurrent writers of one new key wait on each other and
    // when one batch writes a key twice.
    public const string Upsert = """
        INSERT INTO items AS item (key, value, created_at, updated_at)
        SELECT $1, convert_from($2, 'UTF8'), now.at, now.at FROM (SELECT clock_timestamp() AS at) AS now
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = greatest(excluded.updated_at, item.updated_at)
        RETURNING created_at, updated_at, (xmax = 0) AS created
        """;

    /// <summary>One row when the item was there, none when it was not: every statement of a batch returns a result.</summary>
    public const string Delete = "DELETE FROM items WHERE key = $1 RETURNING true";

    private const string Columns = "key, convert_to(value, 'UTF8'), created_at, updated_at";
    public const string Get = $"SELECT {Columns} FROM items WHERE key = $1";

    // One row more than asked tells whether a next page exists.
    public const string FirstPage = $"SELECT {Columns} FROM items ORDER BY key LIMIT $1";
    public const string NextPage = $"SELECT {Columns} FROM items WHERE key > $2 ORDER BY key LIMIT $1";

    public const string Probe = "INSERT INTO readiness_probe (id, probed_at) VALUES (1, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at";
}
