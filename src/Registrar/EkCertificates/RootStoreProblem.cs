namespace Attest.Registrar.EkCertificates;

/// <summary>A file (or one certificate in it) that the root store did not load, and why.</summary>
public sealed record RootStoreProblem(string File, string Reason)
{
    public override string ToString() => $"{File}: {Reason}";
}

/// <summary>
/// A configured CA certificate whose chain inside the store stops before a self-signed root:
/// <see cref="Top"/> is the highest certificate found, <see cref="MissingIssuer"/> the name nothing in the store has.
/// </summary>
public sealed record UnrootedCertificate(CaCertificate Certificate, CaCertificate Top, string MissingIssuer)
{
    public override string ToString() => $"{Certificate.Subject} ({Certificate.Origin}): issuer '{MissingIssuer}' is not in the store";
}

/// <summary>A certificate at <see cref="Origin"/> that is byte-identical to one already loaded.</summary>
public sealed record DuplicateCertificate(string Origin, CaCertificate SameAs);
