using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Attest.ServiceDefaults.Storage;

/// <summary>
/// Opens connections to the service's database, SQLite or PostgreSQL. Repositories write SQL that both dialects
/// accept and branch on <see cref="Provider"/> only where they must (documented at the branch).
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string _connectionString;

    // Pooled SQLite connections keep their native handle, and per-connection PRAGMAs stay set on it: configure each
    // handle once, not on every open (the load test measured the PRAGMA batch at 6 opens per attestation).
    private readonly ConditionalWeakTable<object, object> _configuredSqlite = new();
    private static readonly object Configured = new();
    private int _walEnabled;

    static Database()
    {
        // Columns are snake_case (node_id); records are PascalCase (NodeId).
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public Database(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        _connectionString = connectionString;
        if (provider == DatabaseProvider.Postgres)
        {
            _postgres = NpgsqlDataSource.Create(WithPostgresDefaults(connectionString));
        }
        else
        {
            EnsureSqliteDirectory(connectionString);
        }
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString => _connectionString;

    /// <summary>Builds the database for a service from its options (SQLite default path <c>data/{serviceName}.db</c>).</summary>
    public static Database FromOptions(DatabaseOptions options, string serviceName, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connectionString = options.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (options.Provider == DatabaseProvider.Postgres)
            {
                throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is Postgres");
            }

            connectionString = $"Data Source={Path.Combine(contentRoot, "data", serviceName + ".db")}";
        }

        return new Database(options.Provider, connectionString);
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var handle = connection.Handle;
        if (handle is null || !_configuredSqlite.TryGetValue(handle, out _))
        {
            await ConfigureSqliteAsync(connection, cancellationToken).ConfigureAwait(false);
            if (handle is not null)
            {
                _configuredSqlite.AddOrUpdate(handle, Configured);
            }
        }

        return connection;
    }

    private async Task ConfigureSqliteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the single writer. It is a property of the database file, so once per process
        // is enough (and it needs a lock on the file, so not on every open); a race only sets it twice.
        var wal = Volatile.Read(ref _walEnabled) == 0 ? "PRAGMA journal_mode=WAL; " : "";
        // Per connection: busy_timeout makes concurrent writers wait, not fail; synchronous=NORMAL is durable in WAL
        // mode except for the last transactions on power loss (never corrupt).
        pragma.CommandText = wal + "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _walEnabled, 1);
    }

    /// <summary>
    /// Defaults for the hot path, each kept when the connection string sets it (measured in docs/performance.md):
    /// <list type="bullet">
    /// <item>Max Auto Prepare: Npgsql prepares a statement on the server once it has run a few times on a physical
    /// connection, so hot statements are parsed and planned once per connection instead of once per call.</item>
    /// <item>No Reset On Close: otherwise every return to the pool queues a reset (RESET ALL, CLOSE ALL, UNLISTEN,
    /// advisory unlock, DISCARD …) that the server runs before the next command — an open per query here. Code on
    /// these pooled connections therefore must not leave session state behind (session SET, temp tables, session
    /// advisory locks); <see cref="SchemaMigrator"/> takes its lock on a connection of its own, outside the pool.</item>
    /// </list>
    /// </summary>
    private static string WithPostgresDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "Auto Prepare", "AutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keywords) =>
        keywords.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));

    /// <summary>Runs <paramref name="work"/> in a transaction, committing when it returns.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // SQLite: BeginTransaction is BEGIN IMMEDIATE, taking the write lock up front so concurrent writers queue on
        // busy_timeout instead of failing on lock upgrade.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
