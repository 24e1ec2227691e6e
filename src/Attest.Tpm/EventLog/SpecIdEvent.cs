using System.Text.Json.Serialization;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.EventLog;

/// <summary>A bank the log carries and the digest size the header declares for it.</summary>
public sealed record EventLogBank(
    [property: JsonConverter(typeof(JsonStringEnumConverter<TpmAlgId>))] TpmAlgId Algorithm,
    int DigestSize)
{
    public string Name => Algorithm.Name();
}

/// <summary>TCG_EfiSpecIDEventStruct, the "Spec ID Event03" header of a crypto-agile log (TCG PC Client PFP 1.06 §10.4.5.1).</summary>
public sealed record SpecIdEvent(
    uint PlatformClass,
    byte SpecVersionMinor,
    byte SpecVersionMajor,
    byte SpecErrata,
    byte UintnSize,
    IReadOnlyList<EventLogBank> Algorithms,
    [property: JsonConverter(typeof(HexJsonConverter))] byte[] VendorInfo);

public enum EventLogFormat
{
    /// <summary>TCG 1.2 / PFP SHA-1 format: TCG_PCClientPCREvent records with one SHA-1 digest each.</summary>
    Sha1,

    /// <summary>Crypto-agile format: Spec ID Event03 header, then TCG_PCR_EVENT2 records.</summary>
    CryptoAgile,
}

/// <summary>A parsed TCG PC Client event log. Immutable; nothing in it is trusted until replayed against a quote.</summary>
public sealed record TcgEventLog(
    [property: JsonConverter(typeof(JsonStringEnumConverter<EventLogFormat>))] EventLogFormat Format,
    SpecIdEvent? SpecId,
    IReadOnlyList<EventLogBank> Banks,
    byte StartupLocality,
    IReadOnlyList<TcgEvent> Events,
    int TrailingPaddingBytes);
