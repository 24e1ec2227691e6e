using System.Diagnostics;
using Attest.ServiceDefaults.Storage;
using Dapper;
using Npgsql;
using Xunit.Abstractions;

namespace Attest.ServiceDefaults.Tests.Storage;

public sealed class PostgresServerTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task One_cluster_serves_the_whole_test_process()
    {
        var first = await PostgresServer.GetAsync();
        var second = await PostgresServer.GetAsync();

        Assert.Same(first, second);
        output.WriteLine($"PostgreSQL {first.ServerVersion} on port {first.Port}: started in {first.StartupTime.TotalMilliseconds:F0} ms "
            + $"(initdb {first.InitDbTime.TotalMilliseconds:F0} ms, pg_ctl start {first.StartTime.TotalMilliseconds:F0} ms)");
    }

    [PostgresFact]
    public async Task Each_created_database_is_empty_and_isolated_from_the_others()
    {
        var server = await PostgresServer.GetAsync();
        var created = new List<string>();
        var times = new List<double>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                created.Add(await server.CreateDatabaseAsync());
                times.Add(stopwatch.Elapsed.TotalMilliseconds);
            }

            Assert.Equal(created.Count, created.Distinct().Count());
            await using (var connection = new NpgsqlConnection(created[0]))
            {
                await connection.ExecuteAsync("CREATE TABLE only_in_first (id TEXT PRIMARY KEY)");
            }

            await using (var connection = new NpgsqlConnection(created[1]))
            {
                Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"));
            }
        }
        finally
        {
            foreach (var connectionString in created)
            {
                await server.DropDatabaseAsync(connectionString);
            }
        }

        times.Sort();
        output.WriteLine($"CREATE DATABASE x{times.Count}, one after another: median {times[times.Count / 2]:F0} ms, min {times[0]:F0} ms, max {times[^1]:F0} ms");
    }

    [PostgresFact]
    public async Task Disposing_a_test_database_drops_it()
    {
        var stopwatch = Stopwatch.StartNew();
        var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var created = stopwatch.Elapsed;
        var name = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
        await using (var connection = await db.OpenAsync())
        {
            Assert.Equal(name, await connection.ExecuteScalarAsync<string>("SELECT current_database()"));
        }

        stopwatch.Restart();
        await db.DisposeAsync();
        var dropped = stopwatch.Elapsed;

        var server = await PostgresServer.GetAsync();
        await using var admin = new NpgsqlConnection(server.ConnectionString("postgres"));
        Assert.Equal(0, await admin.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_database WHERE datname = @name", new { name }));
        output.WriteLine($"TestDatabase on PostgreSQL: created in {created.TotalMilliseconds:F0} ms, dropped in {dropped.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Disposing_a_sqlite_test_database_deletes_its_files()
    {
        var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, SchemaMigratorTests.TestSchema);
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO documents (id, body, recorded_at) VALUES ('x', '{}', 1)");
        }

        Assert.True(File.Exists(file));
        await db.DisposeAsync();

        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public void Postgres_tests_are_skipped_only_outside_ci_and_say_why()
    {
        var skip = PostgresServer.SkipReason;

        if (PostgresServer.IsCi || PostgresServer.UnavailableReason is null)
        {
            Assert.Null(skip);
        }
        else
        {
            Assert.Contains(PostgresServer.UnavailableReason, skip, StringComparison.Ordinal);
            Assert.Contains("ATTEST_PG_BINDIR", skip, StringComparison.Ordinal);
        }
    }
}
