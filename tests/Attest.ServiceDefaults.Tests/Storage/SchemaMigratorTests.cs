using System.Reflection;
using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.ServiceDefaults.Tests.Storage;

public sealed class SchemaMigratorTests
{
    private const string Prefix = "Attest.ServiceDefaults.Tests.Storage.";

    internal static Assembly TestSchema { get; } = ScriptSubset.Under(typeof(SchemaMigratorTests).Assembly, Prefix + "TestSchema.");

    private static Assembly FailingSchema { get; } = ScriptSubset.Under(typeof(SchemaMigratorTests).Assembly, Prefix + "FailingSchema.");

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Pending_lists_only_the_scripts_of_the_database_dialect_in_order(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        Assert.Equal(
            [Script("TestSchema", provider, "0001_sessions.sql"), Script("TestSchema", provider, "0002_documents.sql")],
            SchemaMigrator.Pending(db.Database, TestSchema));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Migrate_applies_every_script_and_journals_it(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        SchemaMigrator.Migrate(db.Database, TestSchema);

        Assert.Empty(SchemaMigrator.Pending(db.Database, TestSchema));
        Assert.Equal(
            [Script("TestSchema", provider, "0001_sessions.sql"), Script("TestSchema", provider, "0002_documents.sql")],
            await JournalAsync(db));
        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sessions"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM documents"));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Migrating_an_up_to_date_database_applies_nothing_and_keeps_data(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, TestSchema);
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO sessions (id, node_id, nonce, state, created_at, expires_at) VALUES ('s', 'n', @nonce, 'open', 1, 2)",
                new { nonce = new byte[] { 1 } });
        }

        SchemaMigrator.Migrate(db.Database, TestSchema);
        SchemaMigrator.Migrate(db.Database, TestSchema);

        Assert.Empty(SchemaMigrator.Pending(db.Database, TestSchema));
        Assert.Equal(2, (await JournalAsync(db)).Count);
        await using var check = await db.OpenAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sessions"));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task A_failing_script_is_named_and_the_steps_before_it_stay_applied(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var error = Assert.Throws<InvalidOperationException>(() => SchemaMigrator.Migrate(db.Database, FailingSchema));

        Assert.Contains(Script("FailingSchema", provider, "0002_broken.sql"), error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        Assert.Equal([Script("FailingSchema", provider, "0001_widgets.sql")], await JournalAsync(db));
        Assert.Equal(
            [Script("FailingSchema", provider, "0002_broken.sql"), Script("FailingSchema", provider, "0003_after_broken.sql")],
            SchemaMigrator.Pending(db.Database, FailingSchema));
        Assert.True(await TableExistsAsync(db, "widgets"));
        // The failing script ran in its own transaction: its first statement was rolled back with it.
        Assert.False(await TableExistsAsync(db, "gadgets"));
        Assert.False(await TableExistsAsync(db, "after_broken"));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Instances_starting_together_apply_each_script_once_and_all_succeed(DatabaseProvider provider)
    {
        const int instances = 4;
        await using var db = await TestDatabase.CreateAsync(provider);
        using var barrier = new Barrier(instances);

        var starts = Enumerable.Range(0, instances).Select(_ => Task.Factory.StartNew(
            async () =>
            {
                // Each "instance" has its own Database, as separate processes would.
                await using var instance = new Database(provider, db.ConnectionString);
                barrier.SignalAndWait();
                SchemaMigrator.Migrate(instance, TestSchema);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        await Task.WhenAll(starts);

        Assert.Equal(
            [Script("TestSchema", provider, "0001_sessions.sql"), Script("TestSchema", provider, "0002_documents.sql")],
            await JournalAsync(db));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Test_database_created_with_an_assembly_is_migrated(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, TestSchema);

        Assert.Equal(provider, db.Provider);
        Assert.Empty(SchemaMigrator.Pending(db.Database, TestSchema));
        Assert.True(await TableExistsAsync(db, "documents"));
    }

    private static string Script(string schema, DatabaseProvider provider, string file) =>
        $"{Prefix}{schema}.Migrations.{(provider == DatabaseProvider.Postgres ? "postgres" : "sqlite")}.{file}";

    /// <summary>DbUp's journal: SchemaVersions on SQLite, schemaversions on PostgreSQL (identifiers fold the same).</summary>
    private static async Task<List<string>> JournalAsync(TestDatabase db)
    {
        await using var connection = await db.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT scriptname FROM schemaversions ORDER BY scriptname")).AsList();
    }

    private static async Task<bool> TableExistsAsync(TestDatabase db, string table)
    {
        await using var connection = await db.OpenAsync();
        var sql = db.Provider == DatabaseProvider.Postgres
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = @table"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table";
        return await connection.ExecuteScalarAsync<long>(sql, new { table }) == 1;
    }
}
