using Attest.Policies.Documents;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;

namespace Attest.Policies.Evaluation;

// Firmware, boot applications and the kernel: the parts of the boot chain after the Secure Boot keys.
internal sealed partial class MeasuredBootEvaluator
{
    private void Firmware(BootFacts facts, EventIndex events)
    {
        if (rules.Firmware is not { } fw)
        {
            return;
        }

        var versions = new HashSet<string>(fw.CrtmVersions ?? [], StringComparer.Ordinal);
        var blobs = DigestText.Set(fw.BlobDigests);
        var catalogued = false;
        if (fw.Catalog is { } name)
        {
            if (catalog?.Find(name) is { } entries)
            {
                versions.UnionWith(entries.CrtmVersions);
                blobs.UnionWith(entries.BlobDigests.Select(DigestText.Normalize));
                catalogued = true;
            }
            else
            {
                _sink.Add(PolicyFailureCodes.FirmwareCatalogUnavailable, "/firmware/catalog", $"firmware catalog '{name}' is not loaded", expected: name, actual: "no such catalog");
            }
        }

        if (fw.CrtmVersions is not null || catalogued)
        {
            foreach (var version in facts.CrtmVersions)
            {
                if (!versions.Contains(version))
                {
                    _sink.Add(PolicyFailureCodes.FirmwareVersionNotAllowed, fw.CrtmVersions is null ? "/firmware/catalog" : "/firmware/crtmVersions",
                        "the firmware version is not approved", events.First(TcgEventType.SCrtmVersion),
                        expected: string.Join(" | ", versions.Order(StringComparer.Ordinal)), actual: version);
                }
            }
        }

        if (fw.BlobDigests is not null || catalogued)
        {
            foreach (var blob in facts.FirmwareBlobs)
            {
                if (!blob.Digests.Values.Any(d => blobs.Contains(d)))
                {
                    _sink.Add(PolicyFailureCodes.FirmwareBlobNotAllowed, fw.BlobDigests is null ? "/firmware/catalog" : "/firmware/blobDigests",
                        $"firmware volume {blob.Description ?? "(unnamed)"} has an unapproved digest", events.At(blob.EventIndex),
                        expected: "a listed digest", actual: Preferred(blob.Digests));
                }
            }
        }
    }

    private void BootApplications(BootFacts facts, EventIndex events)
    {
        if (rules.BootApplications is not { } apps)
        {
            return;
        }

        var authorities = DigestText.Set(apps.Authorities);
        if (apps.Authorities is not null)
        {
            foreach (var authority in facts.AuthoritiesUsed.Where(a => a.AfterSeparator && a.Value is null))
            {
                var id = (authority.Sha256Thumbprint ?? authority.Hash ?? "").ToLowerInvariant();
                if (!authorities.Contains(id))
                {
                    _sink.Add(PolicyFailureCodes.BootAuthorityNotAllowed, "/bootApplications/authorities",
                        $"a boot image was authorised by {authority.VariableName} entry {authority.Subject ?? id}", events.At(authority.EventIndex),
                        expected: "one of the listed authorities", actual: id);
                }
            }
        }

        if (apps.Digests is null)
        {
            return;
        }

        // Digests and authorities are separate rules and both apply: a signer does not excuse an unlisted build,
        // because one signing key covers every build its owner ever signed (old, vulnerable ones included).
        var digests = DigestText.Set(apps.Digests);
        foreach (var app in facts.BootApplications)
        {
            if (!app.Digests.Values.Any(d => digests.Contains(d)))
            {
                _sink.Add(PolicyFailureCodes.BootApplicationNotAllowed, "/bootApplications/digests",
                    $"EFI application {app.DevicePath ?? app.Role} is not allowed", events.At(app.EventIndex),
                    expected: "a listed Authenticode digest", actual: Preferred(app.Digests));
            }
        }
    }

    private void Kernel(BootFacts facts, EventIndex events)
    {
        if (rules.Kernel?.CommandLine is { } cl)
        {
            CommandLine(cl, facts, events);
        }

        if (rules.Kernel?.Initrds is { } initrds)
        {
            var digests = DigestText.Set(initrds.Digests);
            var paths = (initrds.Paths ?? []).Select(p => new Glob(p, pathAware: true)).ToArray();
            foreach (var initrd in facts.Initrds)
            {
                var byDigest = initrd.Digests?.Values.Any(d => digests.Contains(d)) == true;
                var byPath = initrd.Path is { } p && paths.Any(g => g.Matches(p));
                if (!byDigest && !byPath)
                {
                    _sink.Add(PolicyFailureCodes.InitrdNotAllowed, initrds.Digests is not null ? "/kernel/initrds/digests" : "/kernel/initrds/paths",
                        $"initrd {initrd.Path ?? "(unnamed)"} is not allowed", events.At(initrd.EventIndex),
                        expected: "a listed digest or path", actual: initrd.Digests is { } d ? Preferred(d) : initrd.Path);
                }
            }
        }
    }

    private void CommandLine(CommandLineRules cl, BootFacts facts, EventIndex events)
    {
        var lines = facts.KernelCommandLines.Count > 0 ? facts.KernelCommandLines : facts.KernelCommandLine is { } one ? [one] : [];
        if (lines.Count == 0)
        {
            _sink.Add(PolicyFailureCodes.KernelCommandLineMissing, "/kernel/commandLine", "command-line rules exist but no kernel command line was measured", expected: "a measured command line", actual: "none");
            return;
        }

        var forbidden = (cl.Forbidden ?? []).Select(p => new KernelArgument(p)).ToArray();
        var required = (cl.Required ?? []).Select(p => new KernelArgument(p)).ToArray();
        var allowed = (cl.Allowed ?? []).Select(p => new KernelArgument(p)).ToArray();
        foreach (var line in lines.Distinct(StringComparer.Ordinal))
        {
            var at = events.WithText(line);
            var args = KernelArgument.Split(line);
            foreach (var arg in args)
            {
                var f = Array.FindIndex(forbidden, r => r.Matches(arg));
                if (f >= 0)
                {
                    _sink.Add(PolicyFailureCodes.KernelArgumentForbidden, $"/kernel/commandLine/forbidden/{f}", $"kernel argument '{arg}' is forbidden", at,
                        expected: $"no argument matching '{forbidden[f].Pattern}'", actual: arg);
                }
                else if (allowed.Length > 0 && !allowed.Any(r => r.Matches(arg)) && !required.Any(r => r.Matches(arg)))
                {
                    _sink.Add(PolicyFailureCodes.KernelArgumentNotAllowed, "/kernel/commandLine/allowed", $"kernel argument '{arg}' is not in the allowed set", at,
                        expected: string.Join(" ", allowed.Select(a => a.Pattern)), actual: arg);
                }
            }

            for (var r = 0; r < required.Length; r++)
            {
                if (!args.Any(required[r].Matches))
                {
                    _sink.Add(PolicyFailureCodes.KernelArgumentMissing, $"/kernel/commandLine/required/{r}", $"required kernel argument '{required[r].Pattern}' is missing", at,
                        expected: required[r].Pattern, actual: line);
                }
            }
        }
    }

    /// <summary>The strongest bank's digest, for display.</summary>
    private static string Preferred(IReadOnlyDictionary<string, string> digests) =>
        digests.TryGetValue("sha256", out var s) ? $"sha256:{s}" : digests.OrderByDescending(d => d.Value.Length).Select(d => $"{d.Key}:{d.Value}").FirstOrDefault() ?? "none";
}
