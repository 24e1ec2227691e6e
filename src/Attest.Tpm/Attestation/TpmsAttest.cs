using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Attestation;

/// <summary>TPM_ST values that tag a TPMS_ATTEST (TPM 2.0 Part 2 §6.9).</summary>
#pragma warning disable CA1028 // Wire type is UINT16.
public enum AttestType : ushort
#pragma warning restore CA1028
{
    Nv = 0x8014,
    CommandAudit = 0x8015,
    SessionAudit = 0x8016,
    Certify = 0x8017,
    Quote = 0x8018,
    Time = 0x8019,
    Creation = 0x801A,
    NvDigest = 0x801C,
}

/// <summary>TPMS_CLOCK_INFO: the reset and restart counters let the verifier detect reboots and replays.</summary>
public sealed record ClockInfo(ulong Clock, uint ResetCount, uint RestartCount, bool Safe);

/// <summary>TPMU_ATTEST member; <see cref="UnparsedAttested"/> keeps types this library does not interpret.</summary>
public abstract record Attested;

public sealed record QuoteInfo(PcrSelection PcrSelection, ReadOnlyMemory<byte> PcrDigest) : Attested;

public sealed record CertifyInfo(ReadOnlyMemory<byte> Name, ReadOnlyMemory<byte> QualifiedName) : Attested;

public sealed record CreationInfo(ReadOnlyMemory<byte> ObjectName, ReadOnlyMemory<byte> CreationHash) : Attested;

public sealed record UnparsedAttested(ReadOnlyMemory<byte> Bytes) : Attested;

/// <summary>
/// TPMS_ATTEST (TPM 2.0 Part 2 §10.12.12). <see cref="Raw"/> is the exact signed bytes.
/// </summary>
public sealed record TpmsAttest
{
    /// <summary>TPM_GENERATED_VALUE: "\xffTCG" — set only by the TPM on data it generated (Part 2 §6.2).</summary>
    public const uint TpmGeneratedValue = 0xFF544347;

    private const int MaxName = 2 + 64;
    private const int MaxData = 2 + 64;
    private const int MaxDigest = 64;

    public required uint Magic { get; init; }

    public required ushort Type { get; init; }

    public required ReadOnlyMemory<byte> QualifiedSigner { get; init; }

    /// <summary>extraData: the qualifying data (nonce) given to the TPM.</summary>
    public required ReadOnlyMemory<byte> ExtraData { get; init; }

    public required ClockInfo ClockInfo { get; init; }

    public required ulong FirmwareVersion { get; init; }

    public required Attested Attested { get; init; }

    public required ReadOnlyMemory<byte> Raw { get; init; }

    public static TpmsAttest Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new TpmReader(bytes);
        var magic = reader.ReadUInt32("TPMS_ATTEST.magic");
        var type = reader.ReadUInt16("TPMS_ATTEST.type");
        var signer = reader.ReadSized("TPMS_ATTEST.qualifiedSigner", MaxName).ToArray();
        var extra = reader.ReadSized("TPMS_ATTEST.extraData", MaxData).ToArray();
        var clock = reader.ReadUInt64("TPMS_CLOCK_INFO.clock");
        var resetCount = reader.ReadUInt32("TPMS_CLOCK_INFO.resetCount");
        var restartCount = reader.ReadUInt32("TPMS_CLOCK_INFO.restartCount");
        var safeOffset = reader.Offset;
        var safe = reader.ReadUInt8("TPMS_CLOCK_INFO.safe");
        if (safe > 1)
        {
            throw new TpmFormatException("TPMS_CLOCK_INFO.safe", safeOffset, $"TPMI_YES_NO value {safe}");
        }

        var firmware = reader.ReadUInt64("TPMS_ATTEST.firmwareVersion");
        Attested attested;
        switch ((AttestType)type)
        {
            case AttestType.Quote:
                var selection = PcrSelection.Read(ref reader);
                var digest = reader.ReadSized("TPMS_QUOTE_INFO.pcrDigest", MaxDigest).ToArray();
                attested = new QuoteInfo(selection, digest);
                reader.ExpectEnd("TPMS_ATTEST");
                break;
            case AttestType.Certify:
                var name = reader.ReadSized("TPMS_CERTIFY_INFO.name", MaxName).ToArray();
                var qualified = reader.ReadSized("TPMS_CERTIFY_INFO.qualifiedName", MaxName).ToArray();
                attested = new CertifyInfo(name, qualified);
                reader.ExpectEnd("TPMS_ATTEST");
                break;
            case AttestType.Creation:
                var objectName = reader.ReadSized("TPMS_CREATION_INFO.objectName", MaxName).ToArray();
                var creationHash = reader.ReadSized("TPMS_CREATION_INFO.creationHash", MaxDigest).ToArray();
                attested = new CreationInfo(objectName, creationHash);
                reader.ExpectEnd("TPMS_ATTEST");
                break;
            default:
                // Other attestation types (time, audit, NV) are kept, not interpreted.
                attested = new UnparsedAttested(reader.Rest.ToArray());
                break;
        }

        return new TpmsAttest
        {
            Magic = magic,
            Type = type,
            QualifiedSigner = signer,
            ExtraData = extra,
            ClockInfo = new ClockInfo(clock, resetCount, restartCount, safe == 1),
            FirmwareVersion = firmware,
            Attested = attested,
            Raw = bytes.ToArray(),
        };
    }

    /// <summary>Marshals this structure (for software-made attestations in tests and tools; verification uses <see cref="Raw"/>).</summary>
    public byte[] Marshal()
    {
        var writer = new TpmWriter();
        writer.WriteUInt32(Magic).WriteUInt16(Type).WriteSized(QualifiedSigner.Span).WriteSized(ExtraData.Span)
            .WriteUInt64(ClockInfo.Clock).WriteUInt32(ClockInfo.ResetCount).WriteUInt32(ClockInfo.RestartCount)
            .WriteUInt8(ClockInfo.Safe ? (byte)1 : (byte)0).WriteUInt64(FirmwareVersion);
        switch (Attested)
        {
            case QuoteInfo quote:
                quote.PcrSelection.Write(writer);
                writer.WriteSized(quote.PcrDigest.Span);
                break;
            case CertifyInfo certify:
                writer.WriteSized(certify.Name.Span).WriteSized(certify.QualifiedName.Span);
                break;
            case CreationInfo creation:
                writer.WriteSized(creation.ObjectName.Span).WriteSized(creation.CreationHash.Span);
                break;
            case UnparsedAttested unparsed:
                writer.WriteBytes(unparsed.Bytes.Span);
                break;
        }

        return writer.ToArray();
    }

    public static string TypeName(ushort type) => Enum.IsDefined((AttestType)type)
        ? "TPM_ST_ATTEST_" + ((AttestType)type).ToString().ToUpperInvariant()
        : $"0x{type:x4}";
}
