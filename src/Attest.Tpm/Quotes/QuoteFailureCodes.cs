namespace Attest.Tpm.Quotes;

/// <summary>Stable failure codes of quote verification (docs/failure-codes.md).</summary>
public static class QuoteFailureCodes
{
    public const string Malformed = "quote.malformed";
    public const string SignatureMalformed = "quote.signature_malformed";
    public const string AlgorithmRefused = "quote.algorithm_refused";
    public const string SignatureSchemeMismatch = "quote.signature_scheme_mismatch";
    public const string SignatureInvalid = "quote.signature_invalid";
    public const string MagicInvalid = "quote.magic_invalid";
    public const string TypeInvalid = "quote.type_invalid";
    public const string NonceMismatch = "quote.nonce_mismatch";
    public const string PcrSelectionMismatch = "quote.pcr_selection_mismatch";
    public const string PcrBankRefused = "quote.pcr_bank_refused";
    public const string PcrValuesMissing = "quote.pcr_values_missing";
    public const string PcrDigestMismatch = "quote.pcr_digest_mismatch";
}
