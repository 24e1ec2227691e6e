using Attest.ServiceDefaults.Storage;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Attest.ServiceDefaults.Tests.Storage;

/// <summary>
/// A theory over storage backends (<see cref="StorageProviders.All"/>). Its PostgreSQL rows are skipped, with the
/// reason, when no PostgreSQL server can be started here, unless <c>CI=true</c>: then they run and fail. SQLite rows
/// always run. xunit 2 cannot skip at run time, so the decision is made at discovery.
/// </summary>
[XunitTestCaseDiscoverer("Attest.ServiceDefaults.Tests.Storage.StorageTheoryDiscoverer", "Attest.ServiceDefaults.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class StorageTheoryAttribute : TheoryAttribute;

/// <summary>A fact that needs the PostgreSQL test server; skipped with the reason when there is none (outside CI).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        Skip = PostgresServer.SkipReason;
    }
}

/// <summary>The backends every storage contract test runs on.</summary>
public static class StorageProviders
{
    /// <summary>Use as <c>[StorageTheory][MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]</c>.</summary>
    public static TheoryData<DatabaseProvider> All => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };
}

/// <summary>Discovers <see cref="StorageTheoryAttribute"/> theories: a normal theory, except for unavailable PostgreSQL rows.</summary>
public sealed class StorageTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow)
    {
        ArgumentNullException.ThrowIfNull(dataRow);
        return PostgresServer.SkipReason is { } reason && dataRow.Any(value => value is DatabaseProvider.Postgres)
            ? CreateTestCasesForSkippedDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow, reason)
            : base.CreateTestCasesForDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow);
    }
}
