using System.ComponentModel.DataAnnotations;

namespace Attest.ServiceDefaults.Storage;

public enum DatabaseProvider
{
    /// <summary>Embedded, zero set-up: the default (a file under <c>data/</c>).</summary>
    Sqlite,

    /// <summary>Production and scale-out: several service instances share one PostgreSQL database.</summary>
    Postgres,
}

/// <summary>Configuration section <c>Database</c> of each service.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// ADO.NET connection string. For SQLite, empty means <c>Data Source=data/&lt;service&gt;.db</c>; for PostgreSQL it
    /// is required (e.g. <c>Host=db;Database=attest;Username=attest;Password=…</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending schema migrations at start-up (on by default; turn off to migrate as a separate step).</summary>
    public bool MigrateOnStart { get; set; } = true;

    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 30;
}
