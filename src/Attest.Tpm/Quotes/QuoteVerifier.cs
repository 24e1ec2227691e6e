using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Crypto;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Signatures;

namespace Attest.Tpm.Quotes;

/// <summary>
/// Verifies a TPM2_Quote: signature over the received TPMS_ATTEST bytes, magic, type, nonce, PCR selection, and
/// the PCR digest recomputed from the reported PCR values (TPM 2.0 Part 3 §18.4). Every failure is reported.
/// </summary>
public static class QuoteVerifier
{
    public static QuoteVerificationResult Verify(
        VerificationKey attestationKey,
        ReadOnlySpan<byte> attestBytes,
        ReadOnlySpan<byte> signatureBytes,
        QuoteExpectation expected,
        CryptoProfile profile)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var result = new QuoteVerificationResult();
        var attest = AttestationVerifier.VerifyCommon(
            attestationKey, attestBytes, signatureBytes, AttestType.Quote, expected.Nonce, profile, result, "quote", out var signature);
        result.Attest = attest;
        result.Signature = signature;
        if (attest?.Attested is not QuoteInfo quote)
        {
            return result;
        }

        var selection = quote.PcrSelection;
        if (expected.Selection is not null && !expected.Selection.Equals(selection))
        {
            result.Fail(QuoteFailureCodes.PcrSelectionMismatch, "the quoted PCR selection is not the one asked for",
                expected: expected.Selection.ToString(), actual: selection.ToString());
        }

        foreach (var bank in selection.Banks)
        {
            var refusal = profile.CheckPcrBank(bank.Hash);
            if (refusal is not null && bank.Indices.Count > 0)
            {
                result.Fail(QuoteFailureCodes.PcrBankRefused, $"{refusal} (profile {profile.Name})", subject: bank.Hash.Name());
            }
        }

        if (expected.PcrValues is not null)
        {
            CheckPcrDigest(quote, expected.PcrValues, AttestationVerifier.DigestAlgorithm(signature), result);
        }

        return result;
    }

    /// <summary>
    /// pcrDigest = H(PCR values concatenated in selection order) with the signing scheme's hash (Part 3 §18.4.1).
    /// </summary>
    private static void CheckPcrDigest(QuoteInfo quote, PcrValues values, TpmAlgId digestAlg, QuoteVerificationResult result)
    {
        if (digestAlg == TpmAlgId.Null)
        {
            return; // The signature was unusable and already reported; there is no hash to recompute with.
        }

        // One-shot hash over the concatenation: cheaper than an incremental hasher on the per-quote hot path.
        var total = quote.PcrSelection.Banks.Sum(b => b.Indices.Count * TpmHash.DigestSize(b.Hash));
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        var written = 0;
        var missing = new List<string>();
        foreach (var bank in quote.PcrSelection.Banks)
        {
            foreach (var index in bank.Indices)
            {
                if (values.TryGet(bank.Hash, index, out var value) && value.Length == TpmHash.DigestSize(bank.Hash))
                {
                    value.Span.CopyTo(rented.AsSpan(written));
                    written += value.Length;
                }
                else
                {
                    missing.Add($"{bank.Hash.Name()}:{index}");
                }
            }
        }

        if (missing.Count > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            result.Fail(QuoteFailureCodes.PcrValuesMissing, $"no value was reported for quoted PCR(s) {string.Join(", ", missing)}",
                subject: string.Join(",", missing));
            return;
        }

        Span<byte> digest = stackalloc byte[TpmHash.DigestSize(digestAlg)];
        TpmHash.Compute(digestAlg, rented.AsSpan(0, written), digest);
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        if (!CryptographicOperations.FixedTimeEquals(digest, quote.PcrDigest.Span))
        {
            result.Fail(QuoteFailureCodes.PcrDigestMismatch, "the reported PCR values are not the ones the TPM quoted",
                expected: Convert.ToHexStringLower(quote.PcrDigest.Span), actual: Convert.ToHexStringLower(digest));
        }
    }
}
