using System.Reflection;
using DbUp;
using DbUp.Engine;
using Npgsql;

namespace Attest.ServiceDefaults.Storage;

/// <summary>
/// Versioned schema migrations with DbUp: each service embeds <c>Storage/Migrations/{sqlite|postgres}/NNNN_name.sql</c>,
/// one folder per dialect, the same numbered steps in both; applied scripts are journaled in the database.
/// </summary>
public static class SchemaMigrator
{
    // Any fixed number; the same for every instance of every service, so concurrent upgrades of one database queue.
    private const long PostgresMigrationLock = 0x4174_7465_7374_4d67; // "AttestMg"

    public static void Migrate(Database database, Assembly scriptsAssembly)
    {
        ArgumentNullException.ThrowIfNull(database);
        // Several instances starting at once on one PostgreSQL database would all read the same pending scripts (DbUp
        // has no lock) and all but one fail on "already exists". A session advisory lock, held on its own connection
        // for the whole upgrade, makes them take turns; the later ones then find nothing pending.
        using var migrationLock = database.Provider == DatabaseProvider.Postgres ? LockPostgres(database.ConnectionString) : null;
        var result = Engine(database, scriptsAssembly).PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"schema migration failed at {result.ErrorScript?.Name}: {result.Error?.Message}", result.Error);
        }
    }

    /// <summary>Names of the scripts not yet applied (for a dry run or a health check).</summary>
    public static IReadOnlyList<string> Pending(Database database, Assembly scriptsAssembly) =>
        Engine(database, scriptsAssembly).GetScriptsToExecute().Select(s => s.Name).ToArray();

    /// <summary>Returns the connection holding the lock; disposing it ends the session and so releases the lock.</summary>
    private static NpgsqlConnection LockPostgres(string connectionString)
    {
        // No pooling: a pooled connection would go back to the pool, lock and all, instead of closing.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            connection.Open();
            using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", PostgresMigrationLock);
            command.CommandTimeout = 600; // waits for another instance's upgrade, however long its scripts take
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static UpgradeEngine Engine(Database database, Assembly scriptsAssembly)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(scriptsAssembly);
        var folder = database.Provider == DatabaseProvider.Postgres ? ".Migrations.postgres." : ".Migrations.sqlite.";
        var builder = database.Provider == DatabaseProvider.Postgres
            ? DeployChanges.To.PostgresqlDatabase(database.ConnectionString)
            : DeployChanges.To.SqliteDatabase(database.ConnectionString);
        return builder
            .WithScriptsEmbeddedInAssembly(scriptsAssembly, name => name.Contains(folder, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
    }
}
