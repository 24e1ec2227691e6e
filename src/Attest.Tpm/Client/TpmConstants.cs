namespace Attest.Tpm.Client;

/// <summary>TPM_CC command codes used by this client (TPM 2.0 Library Part 2 §6.5.2).</summary>
#pragma warning disable CA1028 // TPM_CC is a UINT32 on the wire.
public enum TpmCc : uint
#pragma warning restore CA1028
{
    EvictControl = 0x120,
    CreatePrimary = 0x131,
    SelfTest = 0x143,
    Startup = 0x144,
    Shutdown = 0x145,
    ActivateCredential = 0x147,
    Certify = 0x148,
    Sign = 0x15D,
    CertifyCreation = 0x14A,
    NvRead = 0x14E,
    PolicySecret = 0x151,
    Create = 0x153,
    Load = 0x157,
    Quote = 0x158,
    FlushContext = 0x165,
    NvReadPublic = 0x169,
    PolicyOr = 0x171,
    ReadPublic = 0x173,
    StartAuthSession = 0x176,
    GetCapability = 0x17A,
    GetRandom = 0x17B,
    PcrRead = 0x17E,
    ReadClock = 0x181,
    PcrExtend = 0x182,
    PolicyGetDigest = 0x189,
}

public static class TpmCcNames
{
    /// <summary>The spec's name, e.g. <c>TPM2_NV_Read</c>; unknown codes as hex.</summary>
    public static string Name(this TpmCc cc) => cc switch
    {
        TpmCc.NvRead => "TPM2_NV_Read",
        TpmCc.NvReadPublic => "TPM2_NV_ReadPublic",
        TpmCc.PcrRead => "TPM2_PCR_Read",
        TpmCc.PcrExtend => "TPM2_PCR_Extend",
        TpmCc.PolicyOr => "TPM2_PolicyOR",
        _ when Enum.IsDefined(cc) => "TPM2_" + cc,
        _ => $"TPM_CC 0x{(uint)cc:X8}",
    };
}

/// <summary>Reserved handles and handle ranges (TPM 2.0 Library Part 2 §7).</summary>
public static class TpmHandles
{
    public const uint Owner = 0x40000001;
    public const uint Null = 0x40000007;

    /// <summary>TPM_RS_PW: the password "session" (Part 1 §19.8.4).</summary>
    public const uint PasswordSession = 0x40000009;
    public const uint Lockout = 0x4000000A;
    public const uint Endorsement = 0x4000000B;
    public const uint Platform = 0x4000000C;

    /// <summary>TCG EK Credential Profile 2.x §2.2.1.4/2.2.1.5: EK certificate NV indices.</summary>
    public const uint EkCertificateRsa2048 = 0x01C00002;
    public const uint EkCertificateEccP256 = 0x01C0000A;
    public const uint EkCertificateEccP384 = 0x01C00016;

    /// <summary>TCG TPM v2.0 Provisioning Guidance: persistent EK handles (swtpm_setup uses these too).</summary>
    public const uint EkPersistentRsa2048 = 0x81010001;
    public const uint EkPersistentEccP384 = 0x81010016;

    /// <summary>The handle type is the top byte (TPM_HT, Part 2 §7.2).</summary>
    public static byte Type(uint handle) => (byte)(handle >> 24);

    public static bool IsTransient(uint handle) => Type(handle) == 0x80;

    public static bool IsPersistent(uint handle) => Type(handle) == 0x81;

    public static bool IsNvIndex(uint handle) => Type(handle) == 0x01;
}

/// <summary>TPM_ST structure tags (Part 2 §6.9).</summary>
internal static class TpmSt
{
    public const ushort NoSessions = 0x8001;
    public const ushort Sessions = 0x8002;
    public const ushort Creation = 0x8021;
    public const ushort HashCheck = 0x8024;
}

/// <summary>TPM_SU: startup/shutdown type (Part 2 §6.5).</summary>
#pragma warning disable CA1028
public enum TpmStartupType : ushort
#pragma warning restore CA1028
{
    Clear = 0x0000,
    State = 0x0001,
}

/// <summary>TPM_CAP (Part 2 §6.12).</summary>
#pragma warning disable CA1028
public enum TpmCapability : uint
#pragma warning restore CA1028
{
    Algs = 0,
    Handles = 1,
    Commands = 2,
    PpCommands = 3,
    AuditCommands = 4,
    Pcrs = 5,
    TpmProperties = 6,
    PcrProperties = 7,
    EccCurves = 8,
}

/// <summary>TPM_PT property tags used here (Part 2 §6.13: PT_FIXED = 0x100).</summary>
#pragma warning disable CA1028
public enum TpmPt : uint
#pragma warning restore CA1028
{
    FamilyIndicator = 0x100,
    Level = 0x101,
    Revision = 0x102,
    DayOfYear = 0x103,
    Year = 0x104,
    Manufacturer = 0x105,
    VendorString1 = 0x106,
    VendorString2 = 0x107,
    VendorString3 = 0x108,
    VendorString4 = 0x109,
    VendorTpmType = 0x10A,
    FirmwareVersion1 = 0x10B,
    FirmwareVersion2 = 0x10C,
    InputBuffer = 0x10D,
    HrTransientMin = 0x10E,
    HrPersistentMin = 0x10F,
    HrLoadedMin = 0x110,
    ActiveSessionsMax = 0x111,
    PcrCount = 0x112,
    PcrSelectMin = 0x113,
    ContextGapMax = 0x114,
    NvCountersMax = 0x116,
    NvIndexMax = 0x117,
    Memory = 0x118,
    ClockUpdate = 0x119,
    ContextHash = 0x11A,
    ContextSym = 0x11B,
    ContextSymSize = 0x11C,
    OrderlyCount = 0x11D,
    MaxCommandSize = 0x11E,
    MaxResponseSize = 0x11F,
    MaxDigest = 0x120,
    MaxObjectContext = 0x121,
    MaxSessionContext = 0x122,
    PsFamilyIndicator = 0x123,
    PsLevel = 0x124,
    PsRevision = 0x125,
    PsDayOfYear = 0x126,
    PsYear = 0x127,
    SplitMax = 0x128,
    TotalCommands = 0x129,
    LibraryCommands = 0x12A,
    VendorCommands = 0x12B,
    NvBufferMax = 0x12C,
    Permanent = 0x200,
    StartupClear = 0x201,
}
