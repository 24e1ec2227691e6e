using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog.Data;

namespace Attest.Tpm.EventLog;

/// <summary>
/// Whether an event's data is covered by its digest. Replay proves digests, not data: a policy may only
/// believe the data of an event (SecureBoot=1, a db certificate, a command line) when hashing that data
/// gives the proven digest. Otherwise the data is a claim by whoever wrote the log.
/// </summary>
public static class EventDataBinding
{
    /// <summary>GRUB's descriptions: the digest covers the text after the prefix (grub-core/commands/tpm.c).</summary>
    internal static readonly (string Prefix, string Kind)[] GrubPrefixes =
    [
        ("grub_cmd: ", "grub_cmd"),
        ("kernel_cmdline: ", "kernel_cmdline"),
        ("module_cmdline: ", "module_cmdline"),
    ];

    /// <summary>
    /// Types whose digest the PFP defines as the hash of the event data itself (PFP 1.06 §10.4.1, §10.4.4):
    /// for these a data/digest mismatch is tampering, not a firmware quirk.
    /// </summary>
    public static bool RequiresBinding(TcgEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);

        // Known quirk: shim logs its built-in vendor certificate as an authority under its own GUID
        // ("Shim", 605dab50-...) with a digest that is not over the logged bytes (seen in real logs).
        // Not treated as tampering; its data is simply not believed (facts mark it unverified).
        if (e.Type == TcgEventType.EfiVariableAuthority && e.Data.Length >= 16 && new Guid(e.Data.AsSpan(0, 16)) == EfiGuid.ShimLock)
        {
            return false;
        }

        return RequiresBinding(e.Type);
    }

    public static bool RequiresBinding(TcgEventType type) => type is
        TcgEventType.Separator or TcgEventType.EfiAction or TcgEventType.Action
        or TcgEventType.EfiVariableDriverConfig or TcgEventType.EfiVariableBoot or TcgEventType.EfiVariableBoot2
        or TcgEventType.EfiVariableAuthority or TcgEventType.EfiGptEvent or TcgEventType.EfiGptEvent2
        or TcgEventType.OmitBootDeviceEvents;

    /// <summary>True when some spec-defined (or known firmware/boot-loader) form of the data hashes to the event's digest in <paramref name="bank"/>.</summary>
    public static bool IsBound(TcgEvent e, TpmAlgId bank)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.DigestFor(bank) is not { } digest || !TpmHash.CanCompute(bank) || TpmHash.DigestSize(bank) != digest.Length)
        {
            return false;
        }

        bool Matches(ReadOnlySpan<byte> candidate)
        {
            Span<byte> hash = stackalloc byte[64];
            hash = hash[..digest.Length];
            TpmHash.Compute(bank, candidate, hash);
            return hash.SequenceEqual(digest);
        }

        var data = e.Data.AsSpan();

        // GRUB strings first: for them the whole-data form never matches, so it would be a wasted hash.
        if (e.Type == TcgEventType.Ipl)
        {
            var trimmed = data.TrimEnd((byte)0);
            foreach (var (prefix, _) in GrubPrefixes)
            {
                if (trimmed.StartsWith(System.Text.Encoding.ASCII.GetBytes(prefix)))
                {
                    return Matches(trimmed[prefix.Length..]) || Matches(data);
                }
            }

            // Whole data; ASCII without its NULs; UTF-16 (systemd) without its two-byte terminator.
            return Matches(data)
                || (trimmed.Length != data.Length && Matches(trimmed))
                || (data.Length >= 2 && data.Length % 2 == 0 && data[^1] == 0 && data[^2] == 0 && Matches(data[..^2]));
        }

        if (Matches(data))
        {
            return true;
        }

        switch (e.Type)
        {
            // EDK2-derived firmware hashes only VariableData for EV_EFI_VARIABLE_BOOT (seen in the real
            // test logs); EV_EFI_VARIABLE_BOOT2 was added to the PFP to hash the whole structure.
            case TcgEventType.EfiVariableBoot:
                return UefiVariableDecoder.TryGetVariableData(data, out var variableData) && Matches(variableData);
            default:
                return false;
        }
    }
}
