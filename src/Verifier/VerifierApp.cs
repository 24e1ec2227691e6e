namespace Attest.Verifier;

/// <summary>Marker for this service's entry point (WebApplicationFactory in tests, where several services meet).</summary>
public sealed class VerifierApp;
