using Attest.Tpm.Algorithms;
using Attest.Tpm.Wire;

namespace Attest.Tpm.EventLog;

/// <summary>
/// Parses a TCG PC Client measured-boot event log (Linux's <c>binary_bios_measurements</c>) in either
/// format. Structure only: event data is kept raw and decoded on demand by <see cref="Data.EventDataDecoder"/>,
/// so a malformed payload inside a well-formed event can never fail the whole log.
/// Every malformation is a <see cref="TpmFormatException"/> naming the field and its offset.
/// </summary>
public static class EventLogParser
{
    // TCG PC Client PFP 1.06 §10.4.5.1: the signature of the crypto-agile header, NUL-terminated.
    private static ReadOnlySpan<byte> SpecIdEvent03 => "Spec ID Event03\0"u8;

    // TCG PC Client PFP 1.06 §10.4.5.3: TCG_EfiStartupLocalityEvent.Signature.
    private static ReadOnlySpan<byte> StartupLocalitySignature => "StartupLocality\0"u8;

    private const int Sha1DigestSize = 20;

    public static TcgEventLog Parse(ReadOnlySpan<byte> log)
    {
        if (log.Length > EventLogLimits.MaxLogBytes)
        {
            throw new TpmFormatException("TCG event log", 0, $"{log.Length} bytes exceeds the maximum {EventLogLimits.MaxLogBytes}");
        }

        if (log.Length == 0)
        {
            throw new TpmFormatException("TCG event log", 0, "the log is empty");
        }

        var reader = new TpmReader(log);
        var events = new List<TcgEvent>();

        // The first event is always in the SHA-1 format (PFP 1.06 §10.2.1): for a crypto-agile log it
        // is an EV_NO_ACTION on PCR 0 whose data is the Spec ID Event03 structure.
        var first = ReadSha1Event(ref reader, 0);
        events.Add(first);
        if (first.Type == TcgEventType.NoAction && first.PcrIndex == 0 && first.Data.AsSpan().StartsWith(SpecIdEvent03))
        {
            var specId = ParseSpecId(first.Data, first.DataOffset);
            return ParseCryptoAgile(ref reader, specId, events);
        }

        return ParseSha1(ref reader, events);
    }

    private static TcgEventLog ParseSha1(ref TpmReader reader, List<TcgEvent> events)
    {
        byte locality = 0;
        ApplyStartupLocality(events[0], ref locality);
        var padding = 0;
        while (!reader.IsAtEnd)
        {
            if (IsZeroPadding(reader.Rest))
            {
                // Logs copied from a fixed-size ACPI TCPA area end in zeros; Linux stops there too.
                padding = reader.Remaining;
                break;
            }

            CheckEventCount(events.Count, reader.Offset);
            var e = ReadSha1Event(ref reader, events.Count);
            ApplyStartupLocality(e, ref locality);
            events.Add(e);
        }

        var banks = new[] { new EventLogBank(TpmAlgId.Sha1, Sha1DigestSize) };
        return new TcgEventLog(EventLogFormat.Sha1, null, banks, locality, events, padding);
    }

    private static TcgEventLog ParseCryptoAgile(ref TpmReader reader, SpecIdEvent specId, List<TcgEvent> events)
    {
        var banks = specId.Algorithms;
        byte locality = 0;
        var padding = 0;
        while (!reader.IsAtEnd)
        {
            if (IsZeroPadding(reader.Rest))
            {
                padding = reader.Remaining;
                break;
            }

            CheckEventCount(events.Count, reader.Offset);
            var e = ReadEvent2(ref reader, banks, events.Count);
            ApplyStartupLocality(e, ref locality);
            events.Add(e);
        }

        return new TcgEventLog(EventLogFormat.CryptoAgile, specId, banks, locality, events, padding);
    }

    private static void CheckEventCount(int count, int offset)
    {
        if (count >= EventLogLimits.MaxEvents)
        {
            throw new TpmFormatException("TCG event log", offset, $"more than {EventLogLimits.MaxEvents} events");
        }
    }

    private static bool IsZeroPadding(ReadOnlySpan<byte> rest) => !rest.ContainsAnyExcept((byte)0);

    // TCG_PCClientPCREvent (PFP 1.06 §10.2.1): pcrIndex, eventType, SHA-1 digest, eventDataSize, event.
    private static TcgEvent ReadSha1Event(ref TpmReader reader, int index)
    {
        var offset = reader.Offset;
        var pcr = reader.ReadUInt32LE("TCG_PCClientPCREvent.pcrIndex");
        var type = (TcgEventType)reader.ReadUInt32LE("TCG_PCClientPCREvent.eventType");
        var digest = reader.ReadBytes(Sha1DigestSize, "TCG_PCClientPCREvent.digest").ToArray();
        var data = ReadEventData(ref reader, "TCG_PCClientPCREvent.event", out var dataOffset);
        return new TcgEvent(index, offset, dataOffset, pcr, type, [new EventDigest(TpmAlgId.Sha1, digest)], data);
    }

    // TCG_PCR_EVENT2 (PFP 1.06 §10.2.2): pcrIndex, eventType, TPML_DIGEST_VALUES, eventSize, event.
    // Digest sizes come only from the Spec ID header: the log is the only authority on them, and a
    // digest whose algorithm the header did not declare cannot be skipped safely.
    private static TcgEvent ReadEvent2(ref TpmReader reader, IReadOnlyList<EventLogBank> banks, int index)
    {
        var offset = reader.Offset;
        var pcr = reader.ReadUInt32LE("TCG_PCR_EVENT2.pcrIndex");
        var type = (TcgEventType)reader.ReadUInt32LE("TCG_PCR_EVENT2.eventType");
        var countOffset = reader.Offset;
        var count = reader.ReadUInt32LE("TCG_PCR_EVENT2.digests.count");
        if (count > (uint)banks.Count)
        {
            throw new TpmFormatException("TCG_PCR_EVENT2.digests.count", countOffset,
                $"{count} digests but the Spec ID header declares {banks.Count} algorithm(s)");
        }

        var digests = new EventDigest[count];
        for (var i = 0; i < digests.Length; i++)
        {
            var algOffset = reader.Offset;
            var alg = (TpmAlgId)reader.ReadUInt16LE("TCG_PCR_EVENT2.digests.hashAlg");
            var size = SizeOf(banks, alg);
            if (size == 0)
            {
                throw new TpmFormatException("TCG_PCR_EVENT2.digests.hashAlg", algOffset,
                    $"algorithm {alg.Name()} is not declared in the Spec ID header");
            }

            for (var j = 0; j < i; j++)
            {
                if (digests[j].Algorithm == alg)
                {
                    throw new TpmFormatException("TCG_PCR_EVENT2.digests.hashAlg", algOffset, $"algorithm {alg.Name()} appears twice");
                }
            }

            digests[i] = new EventDigest(alg, reader.ReadBytes(size, "TCG_PCR_EVENT2.digests.digest").ToArray());
        }

        var data = ReadEventData(ref reader, "TCG_PCR_EVENT2.event", out var dataOffset);
        return new TcgEvent(index, offset, dataOffset, pcr, type, digests, data);
    }

    private static byte[] ReadEventData(ref TpmReader reader, string field, out int dataOffset)
    {
        var sizeOffset = reader.Offset;
        var size = reader.ReadUInt32LE(field + "Size");
        if (size > EventLogLimits.MaxEventDataBytes)
        {
            throw new TpmFormatException(field + "Size", sizeOffset, $"{size} bytes exceeds the maximum {EventLogLimits.MaxEventDataBytes}");
        }

        dataOffset = reader.Offset;
        return reader.ReadBytes((int)size, field).ToArray();
    }

    private static int SizeOf(IReadOnlyList<EventLogBank> banks, TpmAlgId alg)
    {
        foreach (var bank in banks)
        {
            if (bank.Algorithm == alg)
            {
                return bank.DigestSize;
            }
        }

        return 0;
    }

    // TCG_EfiSpecIDEventStruct (PFP 1.06 §10.4.5.1).
    private static SpecIdEvent ParseSpecId(byte[] data, int dataOffset)
    {
        var reader = new TpmReader(data, dataOffset);
        reader.Skip(16, "TCG_EfiSpecIDEvent.signature");
        var platformClass = reader.ReadUInt32LE("TCG_EfiSpecIDEvent.platformClass");
        var minor = reader.ReadUInt8("TCG_EfiSpecIDEvent.specVersionMinor");
        var major = reader.ReadUInt8("TCG_EfiSpecIDEvent.specVersionMajor");
        var errata = reader.ReadUInt8("TCG_EfiSpecIDEvent.specErrata");
        var uintnSize = reader.ReadUInt8("TCG_EfiSpecIDEvent.uintnSize");
        var countOffset = reader.Offset;
        var count = reader.ReadUInt32LE("TCG_EfiSpecIDEvent.numberOfAlgorithms");
        if (count == 0 || count > EventLogLimits.MaxAlgorithms)
        {
            throw new TpmFormatException("TCG_EfiSpecIDEvent.numberOfAlgorithms", countOffset,
                $"{count} algorithms; expected 1 to {EventLogLimits.MaxAlgorithms}");
        }

        var banks = new EventLogBank[count];
        for (var i = 0; i < banks.Length; i++)
        {
            var algOffset = reader.Offset;
            var alg = (TpmAlgId)reader.ReadUInt16LE("TCG_EfiSpecIDEvent.digestSizes.algorithmId");
            var sizeOffset = reader.Offset;
            var size = reader.ReadUInt16LE("TCG_EfiSpecIDEvent.digestSizes.digestSize");
            if (size == 0 || size > EventLogLimits.MaxDigestBytes)
            {
                throw new TpmFormatException("TCG_EfiSpecIDEvent.digestSizes.digestSize", sizeOffset,
                    $"digest size {size} for {alg.Name()}; expected 1 to {EventLogLimits.MaxDigestBytes}");
            }

            // A header that lies about a hash we know would misalign every event after it.
            var known = TpmHash.DigestSize(alg);
            if (known != 0 && known != size)
            {
                throw new TpmFormatException("TCG_EfiSpecIDEvent.digestSizes.digestSize", sizeOffset,
                    $"{alg.Name()} digests are {known} bytes, the header says {size}");
            }

            for (var j = 0; j < i; j++)
            {
                if (banks[j].Algorithm == alg)
                {
                    throw new TpmFormatException("TCG_EfiSpecIDEvent.digestSizes.algorithmId", algOffset, $"algorithm {alg.Name()} declared twice");
                }
            }

            banks[i] = new EventLogBank(alg, size);
        }

        var vendorSize = reader.ReadUInt8("TCG_EfiSpecIDEvent.vendorInfoSize");
        var vendorInfo = reader.ReadBytes(vendorSize, "TCG_EfiSpecIDEvent.vendorInfo").ToArray();
        reader.ExpectEnd("TCG_EfiSpecIDEvent");
        return new SpecIdEvent(platformClass, minor, major, errata, uintnSize, banks, vendorInfo);
    }

    // PFP 1.06 §10.4.5.3: the locality TPM2_Startup came from becomes PCR 0's initial value.
    private static void ApplyStartupLocality(TcgEvent e, ref byte locality)
    {
        if (e.Type == TcgEventType.NoAction && e.PcrIndex == 0
            && e.Data.Length == StartupLocalitySignature.Length + 1
            && e.Data.AsSpan().StartsWith(StartupLocalitySignature))
        {
            locality = e.Data[^1];
        }
    }
}
