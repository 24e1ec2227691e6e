namespace Attest.Hooks.Commands;

/// <summary>attest-hook's exit codes are a contract with the steps that call it (docs/ironic.md).</summary>
public static class ExitCodes
{
    /// <summary>Enrolled / attestation passed / verdict is a pass.</summary>
    public const int Pass = 0;

    /// <summary>Attestation failed or was refused (reasons printed with their codes).</summary>
    public const int Failed = 1;

    /// <summary>Usage or configuration error.</summary>
    public const int Usage = 2;

    /// <summary>A service was unreachable or kept failing after bounded retries, or timed out.</summary>
    public const int Unreachable = 3;
}
