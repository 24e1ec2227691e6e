using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Ima;

/// <summary>Runs when evmctl (Debian ima-evm-utils) is installed; skipped with the reason otherwise, and never skipped under CI.</summary>
public sealed class EvmctlTheoryAttribute : TheoryAttribute
{
    public EvmctlTheoryAttribute()
    {
        if (!SwtpmEnvironment.IsCi && ImaEvmctlCrossCheckTests.FindEvmctl() is null)
        {
            Skip = "evmctl not found (apt-get install ima-evm-utils; scripts/prerequisites.sh installs it): replay not cross-checked";
        }
    }
}

/// <summary>Runs where this machine exposes its own IMA log (IMA enabled, securityfs mounted, root); skipped with the reason otherwise.</summary>
public sealed class LiveImaLogFactAttribute : FactAttribute
{
    public LiveImaLogFactAttribute()
    {
        if (!File.Exists("/sys/kernel/security/ima/binary_runtime_measurements"))
        {
            Skip = "this machine exposes no IMA log at /sys/kernel/security/ima (IMA off or securityfs not mounted)";
        }
    }
}
