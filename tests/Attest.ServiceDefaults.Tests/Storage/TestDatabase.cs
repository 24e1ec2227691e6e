using System.Data.Common;
using System.Reflection;
using Attest.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace Attest.ServiceDefaults.Tests.Storage;

/// <summary>
/// A fresh, empty (or freshly migrated) database for one test: a new SQLite file in its own temp folder, or a new
/// database on the process's <see cref="PostgresServer"/>. Disposing it deletes the file or drops the database.
/// </summary>
/// <example>
/// <code>
/// [StorageTheory]
/// [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
/// public async Task Something_is_stored(DatabaseProvider provider)
/// {
///     await using var db = await TestDatabase.CreateAsync(provider, typeof(VerifierStore).Assembly);
///     var store = new VerifierStore(db.Database);
/// }
/// </code>
/// </example>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly Func<Task> _cleanup;
    private int _disposed;

    private TestDatabase(Database database, Func<Task> cleanup)
    {
        Database = database;
        _cleanup = cleanup;
    }

    /// <summary>Both backends; the same list as <see cref="StorageProviders.All"/>.</summary>
    public static TheoryData<DatabaseProvider> Providers => StorageProviders.All;

    public Database Database { get; }

    public DatabaseProvider Provider => Database.Provider;

    public string ConnectionString => Database.ConnectionString;

    /// <summary>Creates the database; with <paramref name="migrationsAssembly"/>, applies that assembly's migrations to it.</summary>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, Assembly? migrationsAssembly = null, CancellationToken cancellationToken = default)
    {
        var database = provider switch
        {
            DatabaseProvider.Sqlite => CreateSqlite(),
            DatabaseProvider.Postgres => await CreatePostgresAsync(cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "unknown database provider"),
        };
        if (migrationsAssembly is not null)
        {
            try
            {
                SchemaMigrator.Migrate(database.Database, migrationsAssembly);
            }
            catch
            {
                await database.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return database;
    }

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) => Database.OpenAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await Database.DisposeAsync().ConfigureAwait(false);
            await _cleanup().ConfigureAwait(false);
        }
    }

    private static TestDatabase CreateSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "attest-sqlite-tests", Guid.NewGuid().ToString("N"));
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "test.db"), Pooling = true }.ToString();
        return new TestDatabase(new Database(DatabaseProvider.Sqlite, connectionString), () =>
        {
            // Pooled connections keep the file (and its -wal/-shm) open.
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A connection the test leaked still holds a file: leave the folder in temp rather than fail the test.
            }

            return Task.CompletedTask;
        });
    }

    private static async Task<TestDatabase> CreatePostgresAsync(CancellationToken cancellationToken)
    {
        var server = await PostgresServer.GetAsync().ConfigureAwait(false);
        var connectionString = await server.CreateDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return new TestDatabase(new Database(DatabaseProvider.Postgres, connectionString), () => server.DropDatabaseAsync(connectionString));
    }
}
