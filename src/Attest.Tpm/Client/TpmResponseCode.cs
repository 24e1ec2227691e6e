using System.Globalization;
using System.Text;

namespace Attest.Tpm.Client;

/// <summary>
/// A decoded TPM_RC (TPM 2.0 Library Part 2 §6.6). Format-1 codes (bit 7 set) carry which
/// parameter, handle or session was at fault; format-0 codes are errors, warnings (bit 11) or
/// vendor codes (bit 10). Bits 16..23 are the TSS layer a resource manager or stack may add.
/// </summary>
public readonly record struct TpmResponseCode(uint Value)
{
    private const uint RcVer1 = 0x100;
    private const uint RcFmt1 = 0x080;
    private const uint RcWarn = 0x900;

    public bool IsSuccess => Value == 0;

    /// <summary>Bits 16..23: non-zero when a TSS layer (e.g. a resource manager) produced the code.</summary>
    public byte Layer => (byte)(Value >> 16);

    private uint Code => Value & 0xFFFF;

    public bool IsFormat1 => Layer == 0 && (Code & RcFmt1) != 0;

    /// <summary>TPM 1.2-style code: format 0 without RC_VER1.</summary>
    public bool IsTpm12 => Layer == 0 && !IsFormat1 && (Code & RcVer1) == 0 && Code != 0;

    public bool IsVendor => Layer == 0 && !IsFormat1 && (Code & 0x400) != 0;

    public bool IsWarning => Layer == 0 && !IsFormat1 && !IsVendor && (Code & 0xF00) == RcWarn;

    /// <summary>The code with parameter/handle/session number stripped (format 1), e.g. 0x08B for TPM_RC_HANDLE.</summary>
    public uint BaseCode => IsFormat1 ? (Code & 0x3F) | RcFmt1 : Code;

    /// <summary>Format 1 with P set: the 1-based parameter number; else 0.</summary>
    public int Parameter => IsFormat1 && (Code & 0x40) != 0 ? (int)((Code >> 8) & 0xF) : 0;

    /// <summary>Format 1, handle: the 1-based handle number; else 0.</summary>
    public int Handle => IsFormat1 && (Code & 0x40) == 0 && (Code & 0x800) == 0 ? (int)((Code >> 8) & 0x7) : 0;

    /// <summary>Format 1, session: the 1-based session number; else 0.</summary>
    public int Session => IsFormat1 && (Code & 0x40) == 0 && (Code & 0x800) != 0 ? (int)((Code >> 8) & 0x7) : 0;

    /// <summary>Codes after which sending the same command again is the right thing (Part 2 §6.6.3).</summary>
    public bool IsRetryable => Layer == 0 && BaseCode is 0x922 /* RETRY */ or 0x908 /* YIELDED */ or 0x90A /* TESTING */;

    /// <summary>The spec name, e.g. <c>TPM_RC_POLICY_FAIL</c>; unknown codes as <c>TPM_RC 0x...</c>.</summary>
    public string Name
    {
        get
        {
            if (Layer != 0)
            {
                return $"TSS layer {Layer} code 0x{Code:X3}";
            }

            if (IsVendor)
            {
                return $"TPM vendor code 0x{Code:X3}";
            }

            if (IsTpm12)
            {
                return $"TPM 1.2 code 0x{Code:X3}";
            }

            return Names.TryGetValue(BaseCode, out var entry) ? entry.Name : $"TPM_RC 0x{BaseCode:X3}";
        }
    }

    /// <summary>One line for an operator: name, code, where, and what it means.</summary>
    public string Describe()
    {
        var text = new StringBuilder(Name);
        text.Append(CultureInfo.InvariantCulture, $" (0x{Value:X})");
        if (Parameter != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" in parameter {Parameter}");
        }
        else if (Handle != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" on handle {Handle}");
        }
        else if (Session != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" in session {Session}");
        }

        if (Layer == 0 && !IsVendor && !IsTpm12 && Names.TryGetValue(BaseCode, out var entry))
        {
            text.Append(": ").Append(entry.Meaning);
        }

        return text.ToString();
    }

    public override string ToString() => Describe();

    private static readonly Dictionary<uint, (string Name, string Meaning)> Names = new()
    {
        // Format 0, RC_VER1 (Part 2 Table 16).
        [0x000] = ("TPM_RC_SUCCESS", "success"),
        [0x100] = ("TPM_RC_INITIALIZE", "TPM not initialized by TPM2_Startup or already initialized"),
        [0x101] = ("TPM_RC_FAILURE", "the TPM is in failure mode"),
        [0x103] = ("TPM_RC_SEQUENCE", "improper use of a sequence handle"),
        [0x10B] = ("TPM_RC_PRIVATE", "not currently used"),
        [0x119] = ("TPM_RC_HMAC", "not currently used"),
        [0x120] = ("TPM_RC_DISABLED", "the command is disabled"),
        [0x121] = ("TPM_RC_EXCLUSIVE", "command failed because audit sequence required exclusivity"),
        [0x124] = ("TPM_RC_AUTH_TYPE", "authorization handle is not correct for the command"),
        [0x125] = ("TPM_RC_AUTH_MISSING", "the command requires an authorization session for a handle and it is not present"),
        [0x126] = ("TPM_RC_POLICY", "policy failure in math operation or an invalid authPolicy value"),
        [0x127] = ("TPM_RC_PCR", "PCR check fail"),
        [0x128] = ("TPM_RC_PCR_CHANGED", "PCR have changed since checked"),
        [0x12D] = ("TPM_RC_UPGRADE", "the TPM is in field upgrade mode"),
        [0x12E] = ("TPM_RC_TOO_MANY_CONTEXTS", "context ID counter is at maximum"),
        [0x12F] = ("TPM_RC_AUTH_UNAVAILABLE", "authValue or authPolicy is not available for the selected entity"),
        [0x130] = ("TPM_RC_REBOOT", "a _TPM_Init and Startup(CLEAR) is required before the TPM can resume operation"),
        [0x131] = ("TPM_RC_UNBALANCED", "the protection algorithms (hash and symmetric) are not reasonably balanced"),
        [0x142] = ("TPM_RC_COMMAND_SIZE", "command size value is inconsistent with the contents of the command buffer"),
        [0x143] = ("TPM_RC_COMMAND_CODE", "command code not supported"),
        [0x144] = ("TPM_RC_AUTHSIZE", "the value of authorizationSize is out of range or the number of sessions is wrong"),
        [0x145] = ("TPM_RC_AUTH_CONTEXT", "use of an authorization session with a context command or another command that cannot have one"),
        [0x146] = ("TPM_RC_NV_RANGE", "NV offset+size is out of range"),
        [0x147] = ("TPM_RC_NV_SIZE", "requested allocation size is larger than allowed"),
        [0x148] = ("TPM_RC_NV_LOCKED", "NV access locked"),
        [0x149] = ("TPM_RC_NV_AUTHORIZATION", "NV access authorization fails in command actions"),
        [0x14A] = ("TPM_RC_NV_UNINITIALIZED", "an NV Index is used before being initialized"),
        [0x14B] = ("TPM_RC_NV_SPACE", "insufficient space for NV allocation"),
        [0x14C] = ("TPM_RC_NV_DEFINED", "NV Index or persistent object already defined"),
        [0x150] = ("TPM_RC_BAD_CONTEXT", "context in TPM2_ContextLoad() is not valid"),
        [0x151] = ("TPM_RC_CPHASH", "cpHash value already set or not correct for use"),
        [0x152] = ("TPM_RC_PARENT", "handle for parent is not a valid parent"),
        [0x153] = ("TPM_RC_NEEDS_TEST", "some function needs testing"),
        [0x154] = ("TPM_RC_NO_RESULT", "an internal function cannot process a request due to an unspecified problem"),
        [0x155] = ("TPM_RC_SENSITIVE", "the sensitive area did not unmarshal correctly after decryption"),

        // Format 1 (Part 2 Table 16, RC_FMT1 + n).
        [0x081] = ("TPM_RC_ASYMMETRIC", "asymmetric algorithm not supported or not correct"),
        [0x082] = ("TPM_RC_ATTRIBUTES", "inconsistent attributes"),
        [0x083] = ("TPM_RC_HASH", "hash algorithm not supported or not appropriate"),
        [0x084] = ("TPM_RC_VALUE", "value is out of range or is not correct for the context"),
        [0x085] = ("TPM_RC_HIERARCHY", "hierarchy is not enabled or is not correct for the use"),
        [0x087] = ("TPM_RC_KEY_SIZE", "key size is not supported"),
        [0x088] = ("TPM_RC_MGF", "mask generation function not supported"),
        [0x089] = ("TPM_RC_MODE", "mode of operation not supported"),
        [0x08A] = ("TPM_RC_TYPE", "the type of the value is not appropriate for the use"),
        [0x08B] = ("TPM_RC_HANDLE", "the handle is not correct for the use (e.g. no such object or NV index)"),
        [0x08C] = ("TPM_RC_KDF", "unsupported key derivation function or function not appropriate for use"),
        [0x08D] = ("TPM_RC_RANGE", "value was out of allowed range"),
        [0x08E] = ("TPM_RC_AUTH_FAIL", "the authorization HMAC check failed and the DA counter was incremented"),
        [0x08F] = ("TPM_RC_NONCE", "invalid nonce size or nonce value mismatch"),
        [0x090] = ("TPM_RC_PP", "authorization requires assertion of physical presence"),
        [0x092] = ("TPM_RC_SCHEME", "unsupported or incompatible scheme"),
        [0x095] = ("TPM_RC_SIZE", "structure is the wrong size"),
        [0x096] = ("TPM_RC_SYMMETRIC", "unsupported symmetric algorithm or key size, or not appropriate for instance"),
        [0x097] = ("TPM_RC_TAG", "incorrect structure tag"),
        [0x098] = ("TPM_RC_SELECTOR", "union selector is incorrect"),
        [0x09A] = ("TPM_RC_INSUFFICIENT", "the TPM was unable to unmarshal a value because there were not enough octets in the input buffer"),
        [0x09B] = ("TPM_RC_SIGNATURE", "the signature is not valid"),
        [0x09C] = ("TPM_RC_KEY", "key fields are not compatible with the selected use"),
        [0x09D] = ("TPM_RC_POLICY_FAIL", "a policy check failed"),
        [0x09F] = ("TPM_RC_INTEGRITY", "integrity check failed (e.g. a credential blob or private area not made for this key)"),
        [0x0A0] = ("TPM_RC_TICKET", "invalid ticket"),
        [0x0A1] = ("TPM_RC_RESERVED_BITS", "reserved bits not set to zero as required"),
        [0x0A2] = ("TPM_RC_BAD_AUTH", "authorization failure without DA implications"),
        [0x0A3] = ("TPM_RC_EXPIRED", "the policy has expired"),
        [0x0A4] = ("TPM_RC_POLICY_CC", "the commandCode in the policy is not the commandCode of the command or the command code in a policy command references a command that is not implemented"),
        [0x0A5] = ("TPM_RC_BINDING", "public and sensitive portions of an object are not cryptographically bound"),
        [0x0A6] = ("TPM_RC_CURVE", "curve not supported"),
        [0x0A7] = ("TPM_RC_ECC_POINT", "point is not on the required curve"),

        // Warnings (RC_WARN + n).
        [0x901] = ("TPM_RC_CONTEXT_GAP", "gap for context ID is too large"),
        [0x902] = ("TPM_RC_OBJECT_MEMORY", "out of memory for object contexts (flush transient objects)"),
        [0x903] = ("TPM_RC_SESSION_MEMORY", "out of memory for session contexts (flush sessions)"),
        [0x904] = ("TPM_RC_MEMORY", "out of shared object/session memory or need space for internal operations"),
        [0x905] = ("TPM_RC_SESSION_HANDLES", "out of session handles"),
        [0x906] = ("TPM_RC_OBJECT_HANDLES", "out of object handles"),
        [0x907] = ("TPM_RC_LOCALITY", "bad locality"),
        [0x908] = ("TPM_RC_YIELDED", "the TPM has suspended operation on the command; forward progress was made and the command may be retried"),
        [0x909] = ("TPM_RC_CANCELED", "the command was canceled"),
        [0x90A] = ("TPM_RC_TESTING", "TPM is performing self-tests"),
        [0x910] = ("TPM_RC_REFERENCE_H0", "the 1st handle in the handle area references a transient object or session that is not loaded"),
        [0x911] = ("TPM_RC_REFERENCE_H1", "the 2nd handle in the handle area references a transient object or session that is not loaded"),
        [0x912] = ("TPM_RC_REFERENCE_H2", "the 3rd handle in the handle area references a transient object or session that is not loaded"),
        [0x913] = ("TPM_RC_REFERENCE_H3", "the 4th handle in the handle area references a transient object or session that is not loaded"),
        [0x914] = ("TPM_RC_REFERENCE_H4", "the 5th handle in the handle area references a transient object or session that is not loaded"),
        [0x915] = ("TPM_RC_REFERENCE_H5", "the 6th handle in the handle area references a transient object or session that is not loaded"),
        [0x916] = ("TPM_RC_REFERENCE_H6", "the 7th handle in the handle area references a transient object or session that is not loaded"),
        [0x918] = ("TPM_RC_REFERENCE_S0", "the 1st authorization session handle references a session that is not loaded"),
        [0x919] = ("TPM_RC_REFERENCE_S1", "the 2nd authorization session handle references a session that is not loaded"),
        [0x91A] = ("TPM_RC_REFERENCE_S2", "the 3rd authorization session handle references a session that is not loaded"),
        [0x91B] = ("TPM_RC_REFERENCE_S3", "the 4th authorization session handle references a session that is not loaded"),
        [0x91C] = ("TPM_RC_REFERENCE_S4", "the 5th authorization session handle references a session that is not loaded"),
        [0x91D] = ("TPM_RC_REFERENCE_S5", "the 6th authorization session handle references a session that is not loaded"),
        [0x91E] = ("TPM_RC_REFERENCE_S6", "the 7th authorization session handle references a session that is not loaded"),
        [0x920] = ("TPM_RC_NV_RATE", "the TPM is rate-limiting accesses to prevent wearout of NV"),
        [0x921] = ("TPM_RC_LOCKOUT", "authorizations for objects subject to DA protection are not allowed at this time because the TPM is in DA lockout mode"),
        [0x922] = ("TPM_RC_RETRY", "the TPM was not able to start the command"),
        [0x923] = ("TPM_RC_NV_UNAVAILABLE", "the command may require writing of NV and NV is not current accessible"),
        [0x97F] = ("TPM_RC_NOT_USED", "this value is reserved and shall not be returned by the TPM"),
    };
}

/// <summary>The TPM answered a command with a non-success response code.</summary>
public sealed class TpmResponseException : Exception
{
    public TpmResponseException(TpmCc command, TpmResponseCode code)
        : base($"{command.Name()} failed: {code.Describe()}")
    {
        Command = command;
        Code = code;
    }

    public TpmResponseException()
    {
    }

    public TpmResponseException(string message)
        : base(message)
    {
    }

    public TpmResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TpmCc Command { get; }

    public TpmResponseCode Code { get; }

    /// <summary>e.g. <c>TPM_RC_HANDLE</c>.</summary>
    public string Name => Code.Name;
}
