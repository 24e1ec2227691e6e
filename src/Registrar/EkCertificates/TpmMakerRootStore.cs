namespace Attest.Registrar.EkCertificates;

/// <summary>
/// The TPM makers' CA certificates the operator configured: every certificate file under one folder, recursively.
/// Self-signed certificates are roots; the rest are intermediates. A file that does not load is reported in
/// <see cref="Problems"/> with the reason, never fatal: one odd file from a maker must not stop enrollment for all
/// others. Immutable once loaded; safe to share.
/// </summary>
public sealed class TpmMakerRootStore
{
    private readonly HashSet<string> _anchors;

    private TpmMakerRootStore(string directory, List<CaCertificate> certificates, List<RootStoreProblem> problems, List<DuplicateCertificate> duplicates,
        bool trustConfiguredIntermediates)
    {
        Directory = directory;
        Certificates = certificates;
        Problems = problems;
        Duplicates = duplicates;
        Roots = certificates.Where(c => c.IsSelfIssued && c.IsIssuedBy(c)).ToList();
        var roots = Roots.Select(r => r.Sha256Thumbprint).ToHashSet(StringComparer.Ordinal);
        Intermediates = certificates.Where(c => !roots.Contains(c.Sha256Thumbprint)).ToList();

        var unrooted = new List<UnrootedCertificate>();
        foreach (var intermediate in Intermediates)
        {
            var path = IssuerPathBuilder.Build(intermediate, certificates, c => roots.Contains(c.Sha256Thumbprint));
            if (!path.ReachedAnchor)
            {
                unrooted.Add(new UnrootedCertificate(intermediate, path.Chain[^1], path.MissingIssuer ?? intermediate.Issuer));
            }
        }

        Unrooted = unrooted;
        _anchors = new HashSet<string>(roots, StringComparer.Ordinal);
        if (trustConfiguredIntermediates)
        {
            // The top of each unrooted chain is what the operator configured in place of the root nobody publishes
            // any more (decision 0006): it anchors the chains below it.
            _anchors.UnionWith(unrooted.Select(u => u.Top.Sha256Thumbprint));
        }

        Anchors = certificates.Where(c => _anchors.Contains(c.Sha256Thumbprint)).ToList();
    }

    public string Directory { get; }

    /// <summary>Every distinct certificate loaded (duplicates across files are loaded once).</summary>
    public IReadOnlyList<CaCertificate> Certificates { get; }

    /// <summary>Self-signed certificates.</summary>
    public IReadOnlyList<CaCertificate> Roots { get; }

    /// <summary>Certificates that are not self-signed.</summary>
    public IReadOnlyList<CaCertificate> Intermediates { get; }

    /// <summary>Certificates a chain may end at: the roots, and (when configured) the tops of unrooted chains.</summary>
    public IReadOnlyList<CaCertificate> Anchors { get; }

    /// <summary>Intermediates whose chain inside the store does not reach a root, with the missing issuer.</summary>
    public IReadOnlyList<UnrootedCertificate> Unrooted { get; }

    /// <summary>Certificates found again in another file (loaded once; listed so counts add up).</summary>
    public IReadOnlyList<DuplicateCertificate> Duplicates { get; }

    /// <summary>Files or certificates not loaded, with the reason.</summary>
    public IReadOnlyList<RootStoreProblem> Problems { get; }

    public bool IsAnchor(CaCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Source == CertificateSource.Store && _anchors.Contains(certificate.Sha256Thumbprint);
    }

    public static TpmMakerRootStore Load(string directory, bool trustConfiguredIntermediates = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        var certificates = new List<CaCertificate>();
        var problems = new List<RootStoreProblem>();
        var duplicates = new List<DuplicateCertificate>();
        if (!System.IO.Directory.Exists(full))
        {
            problems.Add(new RootStoreProblem(full, "directory does not exist: no EK certificate can be trusted"));
            return new TpmMakerRootStore(full, certificates, problems, duplicates, trustConfiguredIntermediates);
        }

        var seen = new Dictionary<string, CaCertificate>(StringComparer.Ordinal);
        var files = System.IO.Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false })
            .Where(f => CertificateFileReader.Extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(full, file);
            CertificateFileReader.FileContents contents;
            try
            {
                contents = CertificateFileReader.Read(file);
            }
            catch (Exception ex) when (ex is CertificateDecodeException or IOException or UnauthorizedAccessException)
            {
                problems.Add(new RootStoreProblem(name, ex.Message));
                continue;
            }

            problems.AddRange(contents.Skipped.Select(s => new RootStoreProblem(name, s)));
            for (var i = 0; i < contents.Certificates.Count; i++)
            {
                var origin = contents.Certificates.Count == 1 ? name : $"{name}#{i + 1}";
                try
                {
                    var certificate = CertificateDecoder.Decode(contents.Certificates[i], CertificateSource.Store, origin);
                    if (!IssuerPathBuilder.CanIssue(certificate, 0))
                    {
                        problems.Add(new RootStoreProblem(origin, $"'{certificate.Subject}' is not a CA certificate allowed to sign certificates (basicConstraints/keyUsage): not loaded"));
                    }
                    else if (seen.TryGetValue(certificate.Sha256Thumbprint, out var first))
                    {
                        duplicates.Add(new DuplicateCertificate(origin, first));
                    }
                    else
                    {
                        seen.Add(certificate.Sha256Thumbprint, certificate);
                        certificates.Add(certificate);
                    }
                }
                catch (CertificateDecodeException ex)
                {
                    problems.Add(new RootStoreProblem(origin, ex.Message));
                }
            }
        }

        return new TpmMakerRootStore(full, certificates, problems, duplicates, trustConfiguredIntermediates);
    }
}
