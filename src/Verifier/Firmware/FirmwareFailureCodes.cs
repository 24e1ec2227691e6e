namespace Attest.Verifier.Firmware;

/// <summary>Stable codes of firmware re-measurement (docs/failure-codes.md, docs/firmware-updates.md).</summary>
public static class FirmwareFailureCodes
{
    /// <summary>A firmware component's measurements changed and no open change window names it.</summary>
    public const string UnexpectedChange = "firmware.unexpected_change";

    /// <summary>Under a window, the component's new measurements match no release in the catalog.</summary>
    public const string NotInCatalog = "firmware.not_in_catalog";

    /// <summary>Under a window, the new release is not the target version the window named.</summary>
    public const string UnexpectedVersion = "firmware.unexpected_version";

    /// <summary>The new release is older than the baseline's and the catalog does not allow reinstalling it.</summary>
    public const string RollbackRefused = "firmware.rollback_refused";

    /// <summary>Changed firmware under a window, but the quote is from the same boot as before the window opened.</summary>
    public const string WindowEvidenceNotFresh = "firmware.window_evidence_not_fresh";
}

/// <summary>An attestation's use of a change window, for the observer that re-baselines and closes it.</summary>
public sealed record ChangeWindowUse(string WindowId, string OpenedBy, string Reason, bool Fresh, IReadOnlyList<string> Transitions);
