using System.Reflection;
using Attest.ServiceDefaults.Storage;

namespace Attest.ServiceDefaults.Tests.Storage;

/// <summary>
/// A view of an assembly that shows <see cref="SchemaMigrator"/> only some of its embedded scripts. The migrator
/// takes every <c>.Migrations.{dialect}.</c> resource of an assembly; a test that wants one script set among several
/// (a failing set beside a good one), or a schema only up to step N (to test an upgrade from N), passes this instead.
/// </summary>
public sealed class ScriptSubset : Assembly
{
    private readonly Assembly _inner;
    private readonly Func<string, bool> _include;

    public ScriptSubset(Assembly inner, Func<string, bool> include)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(include);
        _inner = inner;
        _include = include;
    }

    /// <summary>Only the resources whose name starts with <paramref name="prefix"/> (e.g. <c>MyTests.Storage.FailingSchema.</c>).</summary>
    public static ScriptSubset Under(Assembly inner, string prefix) => new(inner, name => name.StartsWith(prefix, StringComparison.Ordinal));

    public override string? FullName => _inner.FullName;

    public override AssemblyName GetName() => _inner.GetName();

    public override string[] GetManifestResourceNames() => _inner.GetManifestResourceNames().Where(_include).ToArray();

    public override Stream? GetManifestResourceStream(string name) => _include(name) ? _inner.GetManifestResourceStream(name) : null;

    public override ManifestResourceInfo? GetManifestResourceInfo(string resourceName) =>
        _include(resourceName) ? _inner.GetManifestResourceInfo(resourceName) : null;

    public override bool Equals(object? o) => o is ScriptSubset other && ReferenceEquals(other, this);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
