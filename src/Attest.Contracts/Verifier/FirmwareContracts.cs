namespace Attest.Contracts.Verifier;

/// <summary>POST /v1/nodes/{id}/change-windows — an operator (or a firmware-update step) expects these components to change.</summary>
/// <param name="Components"><c>system-firmware</c>, <c>firmware-config</c>, <c>option-roms</c>.</param>
/// <param name="TargetVersions">Where known, the catalog version each component must end at.</param>
/// <param name="Reason">Kept with the window and the new baseline (e.g. a change ticket).</param>
/// <param name="ExpiresInMinutes">The window closes unused after this; the configured default when null.</param>
public sealed record OpenChangeWindowRequest(
    IReadOnlyList<string> Components,
    string Reason,
    IReadOnlyDictionary<string, string>? TargetVersions = null,
    int? ExpiresInMinutes = null);

/// <param name="State"><c>open</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c> or <c>expired</c>.</param>
/// <param name="ResetCountAtOpen">The TPM reset count of the node's last verified quote when the window opened: the closing quote must be from a later boot.</param>
public sealed record ChangeWindow(
    string WindowId,
    string NodeId,
    IReadOnlyList<string> Components,
    IReadOnlyDictionary<string, string> TargetVersions,
    string Reason,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    DateTimeOffset ExpiresAt,
    long ResetCountAtOpen,
    string State,
    DateTimeOffset? ClosedAt,
    string? AttestationId);

/// <summary>A firmware catalog document as stored (YAML/JSON text) with who uploaded it.</summary>
public sealed record FirmwareCatalogRecord(string Name, string Document, string UploadedBy, DateTimeOffset UploadedAt);
