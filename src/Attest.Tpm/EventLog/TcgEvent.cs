using System.Text.Json.Serialization;
using Attest.Tpm.Algorithms;

namespace Attest.Tpm.EventLog;

/// <summary>One digest of an event, in one PCR bank.</summary>
public sealed record EventDigest(
    [property: JsonConverter(typeof(JsonStringEnumConverter<TpmAlgId>))] TpmAlgId Algorithm,
    [property: JsonConverter(typeof(HexJsonConverter))] byte[] Digest)
{
    public string Hex => Convert.ToHexStringLower(Digest);
}

/// <summary>
/// One event as it appears in the log: the raw event data is kept byte for byte because the
/// digests (and a verifier's re-hash of them) are over those bytes, never over a re-encoding.
/// </summary>
/// <param name="Index">Position in the log, counting the Spec ID header as event 0 (as tpm2_eventlog does).</param>
/// <param name="Offset">Byte offset of the event's first field in the log.</param>
/// <param name="DataOffset">Byte offset of the event data in the log (for decode-error messages).</param>
public sealed record TcgEvent(
    int Index,
    int Offset,
    int DataOffset,
    uint PcrIndex,
    [property: JsonConverter(typeof(JsonStringEnumConverter<TcgEventType>))] TcgEventType Type,
    IReadOnlyList<EventDigest> Digests,
    [property: JsonConverter(typeof(HexJsonConverter))] byte[] Data)
{
    public string TypeName => Type.Name();

    /// <summary>The digest in <paramref name="bank"/>, or null when the event has none for it.</summary>
    public byte[]? DigestFor(TpmAlgId bank)
    {
        foreach (var digest in Digests)
        {
            if (digest.Algorithm == bank)
            {
                return digest.Digest;
            }
        }

        return null;
    }

    /// <summary>EV_NO_ACTION events are informational and never extended (TCG PC Client PFP 1.06 §10.4.5).</summary>
    public bool IsExtended => Type != TcgEventType.NoAction;
}
