using System.Reflection;
using DbUp;
using DbUp.Engine;

namespace Attest.ServiceDefaults.Storage;

/// <summary>
/// Versioned schema migrations with DbUp: each service embeds <c>Storage/Migrations/{sqlite|postgres}/NNNN_name.sql</c>,
/// one folder per dialect, the same numbered steps in both; applied scripts are journaled in the database.
/// </summary>
public static class SchemaMigrator
{
    public static void Migrate(Database database, Assembly scriptsAssembly)
    {
        var result = Engine(database, scriptsAssembly).PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"schema migration failed at {result.ErrorScript?.Name}: {result.Error?.Message}", result.Error);
        }
    }

    /// <summary>Names of the scripts not yet applied (for a dry run or a health check).</summary>
    public static IReadOnlyList<string> Pending(Database database, Assembly scriptsAssembly) =>
        Engine(database, scriptsAssembly).GetScriptsToExecute().Select(s => s.Name).ToArray();

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
