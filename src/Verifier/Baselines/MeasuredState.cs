using Attest.Tpm.EventLog.Facts;

namespace Attest.Verifier.Baselines;

/// <summary>
/// The comparable projection of boot facts: what an operator means by "the same firmware, keys and boot chain",
/// without event indices or other details that move between boots. Keys are stable paths shown in diffs.
/// </summary>
public static class MeasuredState
{
    public static SortedDictionary<string, string> Project(BootFacts? facts)
    {
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (facts is null)
        {
            return state;
        }

        Put(state, "firmware.crtmVersions", string.Join(" | ", facts.CrtmVersions));
        Put(state, "firmware.blobs", string.Join(" ", facts.FirmwareBlobs.Select(b => Digest(b.Digests))));
        var secureBoot = facts.SecureBoot;
        Put(state, "secureBoot.enabled", secureBoot.Enabled?.ToString());
        Put(state, "secureBoot.setupMode", secureBoot.SetupMode?.ToString());
        Put(state, "secureBoot.deployedMode", secureBoot.DeployedMode?.ToString());
        Put(state, "secureBoot.pk", Database(secureBoot.Pk));
        Put(state, "secureBoot.kek", Database(secureBoot.Kek));
        Put(state, "secureBoot.db", Database(secureBoot.Db));
        Put(state, "secureBoot.dbx", Database(secureBoot.Dbx));
        Put(state, "secureBoot.authorities", string.Join(" ", facts.AuthoritiesUsed.Where(a => a.AfterSeparator).Select(a => a.Sha256Thumbprint ?? a.Hash ?? a.VariableName)));
        Put(state, "secureBoot.sbatLevel", facts.SbatLevel);
        Put(state, "boot.order", facts.BootOrder is null ? null : string.Join(",", facts.BootOrder.Select(o => o.ToString("X4", System.Globalization.CultureInfo.InvariantCulture))));
        Put(state, "boot.applications", string.Join(" ", facts.BootApplications.Select(a => Digest(a.Digests))));
        Put(state, "boot.drivers", string.Join(" ", facts.Drivers.Select(d => Digest(d.Digests))));
        Put(state, "kernel.commandLine", facts.KernelCommandLine);
        Put(state, "kernel.initrds", string.Join(" ", facts.Initrds.Select(i => i.Digests is null ? i.Path : Digest(i.Digests))));
        return state;
    }

    private static void Put(SortedDictionary<string, string> state, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            state[key] = value;
        }
    }

    private static string Digest(IReadOnlyDictionary<string, string> digests) =>
        digests.TryGetValue("sha256", out var sha256) ? sha256 : digests.Values.FirstOrDefault() ?? "-";

    private static string? Database(SignatureDatabaseFacts? database) => database is null
        ? null
        : $"{string.Join(",", database.Certificates.Select(c => c.Sha256Thumbprint).Order(StringComparer.Ordinal))};hashes={database.HashCount}";
}
