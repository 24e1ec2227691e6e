using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Attest.ServiceDefaults.Storage;
using Dapper;
using Xunit.Abstractions;

namespace Attest.ServiceDefaults.Tests.Storage;

/// <summary>
/// The pattern the verifier burns nonces with: a conditional UPDATE whose affected-row count says who won. No
/// SELECT … FOR UPDATE (SQLite has none); correctness rests on each backend's write serialisation, shown here under
/// real concurrency: separate connections, released together.
/// </summary>
public sealed class SingleUseTests(ITestOutputHelper output)
{
    private const string Claim =
        "UPDATE sessions SET state = 'used', used_at = @now WHERE id = @id AND state = 'open' AND expires_at > @now";

    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Contenders_racing_for_one_session_have_exactly_one_winner(DatabaseProvider provider)
    {
        const int rounds = 10;
        const int contenders = 24;
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        var elapsed = TimeSpan.Zero;

        for (var round = 0; round < rounds; round++)
        {
            var id = $"session-{round}";
            await InsertOpenSessionAsync(db, id, expiresAt: Now + 60_000);

            // Every contender has its own connection and its own thread, all released at once by a barrier: SQLite's
            // ADO.NET calls are synchronous, so pool threads alone would barely overlap them.
            var connections = new List<DbConnection>();
            for (var i = 0; i < contenders; i++)
            {
                connections.Add(await db.OpenAsync());
            }

            int[] affected;
            using (var barrier = new Barrier(contenders))
            {
                var stopwatch = Stopwatch.StartNew();
                var claims = connections.Select(connection => Task.Factory.StartNew(
                    () =>
                    {
                        barrier.SignalAndWait();
                        return connection.Execute(Claim, new { id, now = Now });
                    },
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default)).ToArray();
                affected = await Task.WhenAll(claims);
                elapsed += stopwatch.Elapsed;
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }

            Assert.Equal(1, affected.Count(a => a == 1));
            Assert.Equal(contenders - 1, affected.Count(a => a == 0));
            Assert.Equal("used", await StateAsync(db, id));
        }

        output.WriteLine($"{provider}: {rounds} rounds x {contenders} contenders on one row, "
            + $"{elapsed.TotalMilliseconds / rounds:F1} ms per round (threads started, released together, all answered)");
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Contenders_racing_across_many_sessions_have_exactly_one_winner_each(DatabaseProvider provider)
    {
        const int sessions = 200;
        const int contendersEach = 5;
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await using (var connection = await db.OpenAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            for (var i = 0; i < sessions; i++)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO sessions (id, node_id, nonce, state, created_at, expires_at) VALUES (@id, 'node', @nonce, 'open', @now, @expiresAt)",
                    new { id = $"session-{i}", nonce = new byte[32], now = Now, expiresAt = Now + 60_000 },
                    transaction);
            }

            await transaction.CommitAsync();
        }

        // Each session's contenders are spread through the queue, so claims on one row meet claims on others.
        var queue = Enumerable.Range(0, sessions * contendersEach).Select(i => $"session-{i % sessions}").ToArray();
        Random.Shared.Shuffle(queue);
        var wins = new ConcurrentDictionary<string, int>();
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(queue, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, cancellationToken) =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var affected = await connection.ExecuteAsync(new CommandDefinition(Claim, new { id, now = Now }, cancellationToken: cancellationToken));
            wins.AddOrUpdate(id, affected, (_, count) => count + affected);
        });
        stopwatch.Stop();

        Assert.Equal(sessions, wins.Count);
        Assert.All(wins, pair => Assert.True(pair.Value == 1, $"{pair.Key} was claimed {pair.Value} times"));
        await using var check = await db.OpenAsync();
        Assert.Equal(sessions, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sessions WHERE state = 'used' AND used_at = @now", new { now = Now }));
        output.WriteLine($"{provider}: {queue.Length} claims on {sessions} rows, 32 at a time, in {stopwatch.ElapsedMilliseconds} ms "
            + $"({queue.Length / stopwatch.Elapsed.TotalSeconds:F0} claims/s, each on its own pooled connection)");
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Expired_session_cannot_be_claimed(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await InsertOpenSessionAsync(db, "expired", expiresAt: Now);

        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteAsync(Claim, new { id = "expired", now = Now }));
        Assert.Equal("open", await StateAsync(db, "expired"));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Used_session_cannot_be_claimed_again(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, SchemaMigratorTests.TestSchema);
        await InsertOpenSessionAsync(db, "once", expiresAt: Now + 60_000);

        await using var connection = await db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteAsync(Claim, new { id = "once", now = Now }));
        Assert.Equal(0, await connection.ExecuteAsync(Claim, new { id = "once", now = Now + 1 }));
        Assert.Equal(0, await connection.ExecuteAsync(Claim, new { id = "unknown", now = Now }));
    }

    private static async Task InsertOpenSessionAsync(TestDatabase db, string id, long expiresAt)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            "INSERT INTO sessions (id, node_id, nonce, state, created_at, expires_at) VALUES (@id, 'node', @nonce, 'open', @now, @expiresAt)",
            new { id, nonce = new byte[32], now = Now - 1_000, expiresAt });
    }

    private static async Task<string> StateAsync(TestDatabase db, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT state FROM sessions WHERE id = @id", new { id }) ?? "missing";
    }
}
