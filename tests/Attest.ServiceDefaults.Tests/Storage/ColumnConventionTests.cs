using System.Text.Json;
using Attest.ServiceDefaults.Storage;
using Dapper;

namespace Attest.ServiceDefaults.Tests.Storage;

/// <summary>
/// The column conventions of docs/decisions/0005-storage.md, round-tripped through Dapper on both backends: the same
/// row type and the same parameters work against either.
/// </summary>
public sealed class ColumnConventionTests
{
    private const string Insert =
        "INSERT INTO documents (id, body, digest, pinned, recorded_at, deleted_at) VALUES (@Id, @Body, @Digest, @Pinned, @RecordedAt, @DeletedAt)";

    // Aliases rather than Dapper's global MatchNamesWithUnderscores: no process-wide switch for a test to depend on.
    private const string Select =
        "SELECT id AS Id, body AS Body, digest AS Digest, pinned AS Pinned, recorded_at AS RecordedAt, deleted_at AS DeletedAt FROM documents WHERE id = @id";

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Every_column_kind_round_trips_unchanged(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        var recordedAt = new DateTimeOffset(2026, 11, 25, 8, 52, 16, 123, TimeSpan.Zero);
        var written = new DocumentRow
        {
            Id = Guid.NewGuid().ToString(),
            Body = JsonSerializer.Serialize(new { firmware = "Ünïcode ✓ 1.0.7", pcrs = new[] { 0, 2, 7 }, nested = new { ok = true } }),
            Digest = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
            Pinned = true,
            RecordedAt = recordedAt.ToUnixTimeMilliseconds(),
            DeletedAt = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(),
        };

        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(Insert, written);
        var read = await connection.QuerySingleAsync<DocumentRow>(Select, new { id = written.Id });

        Assert.Equal(written.Id, read.Id);
        Assert.Equal(written.Body, read.Body);
        Assert.Equal(written.Digest, read.Digest);
        Assert.True(read.Pinned);
        Assert.Equal(recordedAt, DateTimeOffset.FromUnixTimeMilliseconds(read.RecordedAt));
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), read.DeletedAt);
        Assert.Equal(JsonSerializer.Deserialize<JsonElement>(written.Body).GetRawText(), JsonSerializer.Deserialize<JsonElement>(read.Body).GetRawText());
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Nulls_and_defaults_round_trip(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await using var connection = await db.OpenAsync();

        await connection.ExecuteAsync(Insert, new DocumentRow { Id = "nulls", Body = "{}", RecordedAt = 0 });
        await connection.ExecuteAsync("INSERT INTO documents (id, body, recorded_at) VALUES ('defaults', '[]', 1)");
        var nulls = await connection.QuerySingleAsync<DocumentRow>(Select, new { id = "nulls" });
        var defaults = await connection.QuerySingleAsync<DocumentRow>(Select, new { id = "defaults" });

        Assert.Null(nulls.Digest);
        Assert.Null(nulls.DeletedAt);
        Assert.False(nulls.Pinned);
        Assert.Equal(0, nulls.RecordedAt);
        Assert.False(defaults.Pinned);
        Assert.Null(defaults.DeletedAt);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Empty_byte_array_stays_distinct_from_null(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await using var connection = await db.OpenAsync();

        await connection.ExecuteAsync(Insert, new DocumentRow { Id = "empty", Body = "{}", Digest = [], RecordedAt = 1 });
        var read = await connection.QuerySingleAsync<DocumentRow>(Select, new { id = "empty" });

        Assert.NotNull(read.Digest);
        Assert.Empty(read.Digest);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Timestamps_compare_and_sort_as_numbers(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await using var connection = await db.OpenAsync();
        // Around 2001-09-09, where the decimal digit count of Unix ms changes: a TEXT column would sort these wrongly.
        long[] times = [999_999_999_999, 1_000_000_000_000, 99_999_999_999, 4_102_444_800_000];
        foreach (var (time, i) in times.Select((t, i) => (t, i)))
        {
            await connection.ExecuteAsync(Insert, new DocumentRow { Id = $"d{i}", Body = "{}", RecordedAt = time });
        }

        var ordered = (await connection.QueryAsync<long>("SELECT recorded_at FROM documents WHERE recorded_at > @after ORDER BY recorded_at", new { after = 99_999_999_999L })).ToArray();

        Assert.Equal([999_999_999_999, 1_000_000_000_000, 4_102_444_800_000], ordered);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task DateTimeOffset_parameter_is_refused_by_a_unix_ms_column(DatabaseProvider provider)
    {
        // Dapper sends DateTimeOffset as a date type, ignoring any registered type handler (its built-in mapping wins),
        // so repositories convert to Unix ms themselves. SQLite's STRICT tables make this fail there too.
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await using var connection = await db.OpenAsync();

        var error = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync(
            "INSERT INTO documents (id, body, recorded_at) VALUES ('x', '{}', @at)", new { at = DateTimeOffset.UtcNow }));

        Assert.Contains("recorded_at", error.Message, StringComparison.Ordinal);
    }

    private sealed class DocumentRow
    {
        public string Id { get; set; } = "";

        public string Body { get; set; } = "";

        public byte[]? Digest { get; set; }

        public bool Pinned { get; set; }

        public long RecordedAt { get; set; }

        public long? DeletedAt { get; set; }
    }
}
