using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>PCR_Read and PCR_Extend.</summary>
public sealed partial class TpmClient
{
    private const int MaxPcrReadRounds = 64;

    /// <summary>
    /// TPM2_PCR_Read (Part 3 §22.4) for every selected PCR. A TPM returns at most 8 digests per
    /// call (TPML_DIGEST), and may return fewer, so this asks again for what is missing. If a PCR
    /// changes between calls (pcrUpdateCounter moved) it starts over, so all values are from one
    /// moment. PCRs the TPM does not return at all (bank not active) are absent from the result.
    /// </summary>
    public async Task<PcrReadResult> PcrReadAsync(PcrSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var wanted = selection.Banks.ToDictionary(b => b.Hash, b => new HashSet<int>(b.Indices));
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var values = new PcrValues();
            var read = wanted.ToDictionary(kv => kv.Key, _ => new HashSet<int>());
            var pending = selection.Banks.Where(b => b.Indices.Count > 0).ToList();
            uint? counter = null;
            var restarted = false;
            for (var round = 0; pending.Count > 0 && round < MaxPcrReadRounds; round++)
            {
                var (updateCounter, returned, digests) = await PcrReadOnceAsync(new PcrSelection(pending), cancellationToken).ConfigureAwait(false);
                if (counter is not null && counter != updateCounter)
                {
                    restarted = true;
                    break;
                }

                counter = updateCounter;
                var d = 0;
                foreach (var bank in returned.Banks)
                {
                    var size = TpmHash.DigestSize(bank.Hash);
                    foreach (var index in bank.Indices)
                    {
                        if (!wanted.TryGetValue(bank.Hash, out var indices) || !indices.Contains(index))
                        {
                            throw new TpmFormatException("TPM2_PCR_Read pcrSelectionOut", 4, $"{bank.Hash.Name()} PCR {index} was not asked for");
                        }

                        if (d >= digests.Count)
                        {
                            throw new TpmFormatException("TPM2_PCR_Read pcrValues", 4, "fewer digests than selected PCRs");
                        }

                        var digest = digests[d++];
                        if (size != 0 && digest.Length != size)
                        {
                            throw new TpmFormatException("TPM2_PCR_Read pcrValues", 4, $"{bank.Hash.Name()} PCR {index} is {digest.Length} bytes, expected {size}");
                        }

                        values.Set(bank.Hash, index, digest);
                        read[bank.Hash].Add(index);
                    }
                }

                if (d != digests.Count)
                {
                    throw new TpmFormatException("TPM2_PCR_Read pcrValues", 4, "more digests than selected PCRs");
                }

                if (d == 0)
                {
                    break; // nothing more will come: the rest is not allocated
                }

                pending = [.. pending
                    .Select(b => new PcrBankSelection(b.Hash, [.. b.Indices.Where(i => !read[b.Hash].Contains(i))]))
                    .Where(b => b.Indices.Count > 0)];
            }

            if (!restarted)
            {
                return new PcrReadResult(counter ?? 0, values);
            }
        }

        throw new InvalidOperationException("TPM2_PCR_Read: PCRs kept changing while they were being read");
    }

    /// <summary>All PCRs 0..23 of every active bank.</summary>
    public async Task<PcrReadResult> PcrReadAllAsync(CancellationToken cancellationToken = default)
    {
        var banks = await GetActivePcrBanksAsync(cancellationToken).ConfigureAwait(false);
        return await PcrReadAsync(banks, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(uint Counter, PcrSelection Selection, IReadOnlyList<byte[]> Digests)> PcrReadOnceAsync(PcrSelection selection, CancellationToken cancellationToken)
    {
        var writer = new TpmWriter();
        selection.Write(writer);
        var response = await ExecuteAsync(TpmCc.PcrRead, default, null, writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var counter = reader.ReadUInt32("TPM2_PCR_Read pcrUpdateCounter");
        var returned = PcrSelection.Read(ref reader);
        var digests = DigestList.Read(ref reader, "TPM2_PCR_Read pcrValues");
        reader.ExpectEnd("TPM2_PCR_Read response");
        return (counter, returned, digests);
    }

    /// <summary>
    /// TPM2_PCR_Extend (Part 3 §22.2): extends one PCR in each given bank (TPML_DIGEST_VALUES).
    /// Banks left out are not extended, which breaks their log replay; pass every active bank.
    /// </summary>
    public async Task PcrExtendAsync(int pcr, IReadOnlyDictionary<TpmAlgId, byte[]> digests, TpmAuthSession? auth = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(digests);
        ArgumentOutOfRangeException.ThrowIfNegative(pcr);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pcr, 63);
        var writer = new TpmWriter();
        writer.WriteUInt32((uint)digests.Count);
        foreach (var (hash, digest) in digests)
        {
            if (digest.Length != TpmHash.DigestSize(hash))
            {
                throw new ArgumentException($"{hash.Name()} digest must be {TpmHash.DigestSize(hash)} bytes, not {digest.Length}", nameof(digests));
            }

            writer.WriteUInt16((ushort)hash).WriteBytes(digest); // TPMT_HA: the size follows from hashAlg
        }

        await ExecuteAsync(TpmCc.PcrExtend, new[] { (uint)pcr }, Auth(auth), writer.ToArray(), 0, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>PCR values per bank and index, with the pcrUpdateCounter they were read at.</summary>
public sealed record PcrReadResult(uint UpdateCounter, PcrValues Values)
{
    /// <summary>The value of one PCR; throws when it was not read.</summary>
    public byte[] this[TpmAlgId bank, int index] => Values.TryGet(bank, index, out var value)
        ? value.ToArray()
        : throw new KeyNotFoundException($"{bank.Name()} PCR {index} was not read");
}
