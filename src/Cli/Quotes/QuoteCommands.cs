using System.CommandLine;
using Attest.Cli.Common;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Quotes;
using Attest.Tpm.Verification;

namespace Attest.Cli.Quotes;

/// <summary><c>attestctl quote verify</c>: checks a TPM2 quote offline, as the verifier service does.</summary>
internal static class QuoteCommands
{
    public static Command Create()
    {
        var quote = new Command("quote", "TPM2 quote evidence");
        quote.Subcommands.Add(CreateVerify());
        return quote;
    }

    private static Command CreateVerify()
    {
        var ak = new Option<FileInfo>("--ak") { Description = "attestation key: TPM2B_PUBLIC, TPMT_PUBLIC, or PEM/DER SubjectPublicKeyInfo", Required = true };
        var quoteFile = new Option<FileInfo>("--quote") { Description = "TPMS_ATTEST bytes (tpm2_quote -m)", Required = true };
        var signature = new Option<FileInfo>("--signature") { Description = "TPMT_SIGNATURE bytes (tpm2_quote -s)", Required = true };
        var nonce = new Option<string?>("--nonce") { Description = "expected qualifying data, hex" };
        var pcrs = new Option<FileInfo?>("--pcrs") { Description = "PCR values JSON: {\"sha256\": {\"0\": \"<hex>\"}}" };
        var profile = new Option<string>("--profile") { Description = "crypto profile: default or fips", DefaultValueFactory = _ => "default" };
        var format = Output.FormatOption();
        var verify = new Command("verify", "verify a quote's signature, nonce and PCR digest; exit 0 verified, 1 failed, 2 unusable input")
        {
            ak, quoteFile, signature, nonce, pcrs, profile, format,
        };
        verify.SetAction(parse =>
        {
            var cryptoProfile = ParseProfile(parse.GetValue(profile));
            using var key = InputFiles.ReadVerificationKey(parse.GetValue(ak)!);
            var attestBytes = InputFiles.ReadAttest(parse.GetValue(quoteFile)!);
            var signatureBytes = InputFiles.ReadBytes(parse.GetValue(signature)!, "signature");
            var nonceText = parse.GetValue(nonce);
            var pcrFile = parse.GetValue(pcrs);
            var expectation = new QuoteExpectation
            {
                Nonce = nonceText is null ? null : InputFiles.ParseHex(nonceText, "nonce"),
                PcrValues = pcrFile is null ? null : InputFiles.ReadPcrValues(pcrFile),
            };
            var result = QuoteVerifier.Verify(key, attestBytes, signatureBytes, expectation, cryptoProfile);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Output.WriteJson(output, QuoteReport.From(result, expectation));
            }
            else
            {
                WriteText(output, result, expectation);
            }

            return result.Passed ? CliRunner.Ok : CliRunner.Failed;
        });
        return verify;
    }

    private static CryptoProfile ParseProfile(string? name)
    {
        try
        {
            return CryptoProfile.FromName(name);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }

    private static void WriteText(TextWriter output, QuoteVerificationResult result, QuoteExpectation expectation)
    {
        if (result.Passed)
        {
            var checkedParts = new List<string> { "signature" };
            if (expectation.Nonce is not null)
            {
                checkedParts.Add("nonce");
            }

            if (expectation.PcrValues is not null)
            {
                checkedParts.Add("PCR digest");
            }

            output.WriteLine($"quote verified ({string.Join(", ", checkedParts)})");
        }
        else
        {
            output.WriteLine("quote NOT verified:");
            foreach (var failure in result.Failures)
            {
                output.WriteLine($"  {failure}");
            }
        }

        foreach (var warning in result.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }

        if (expectation.Nonce is null)
        {
            output.WriteLine("  note: no --nonce given, freshness was not checked");
        }

        if (expectation.PcrValues is null)
        {
            output.WriteLine("  note: no --pcrs given, PCR values were not checked");
        }

        if (result.Attest is { } attest)
        {
            output.WriteLine($"  selection {result.Quote?.PcrSelection}; resetCount {attest.ClockInfo.ResetCount}, restartCount {attest.ClockInfo.RestartCount}, clock {attest.ClockInfo.Clock}");
        }
    }

    /// <summary>JSON shape of <c>quote verify --format json</c>.</summary>
    private sealed record QuoteReport(
        bool Verified,
        IReadOnlyList<VerificationFailure> Failures,
        IReadOnlyList<string> Warnings,
        bool NonceChecked,
        bool PcrsChecked,
        QuoteDetails? Quote)
    {
        public static QuoteReport From(QuoteVerificationResult result, QuoteExpectation expectation)
        {
            QuoteDetails? details = null;
            if (result.Attest is { } attest)
            {
                details = new QuoteDetails(
                    Convert.ToHexStringLower(attest.ExtraData.Span),
                    result.Quote?.PcrSelection.ToString(),
                    result.Quote is null ? null : Convert.ToHexStringLower(result.Quote.PcrDigest.Span),
                    result.Signature is null ? null : $"{result.Signature.SigAlg.Name()}/{result.Signature.HashAlg.Name()}",
                    attest.ClockInfo.ResetCount,
                    attest.ClockInfo.RestartCount,
                    attest.ClockInfo.Clock,
                    $"0x{attest.FirmwareVersion:x16}");
            }

            return new QuoteReport(result.Passed, result.Failures, result.Warnings, expectation.Nonce is not null, expectation.PcrValues is not null, details);
        }
    }

    private sealed record QuoteDetails(
        string Nonce,
        string? PcrSelection,
        string? PcrDigest,
        string? Signature,
        uint ResetCount,
        uint RestartCount,
        ulong Clock,
        string FirmwareVersion);
}
