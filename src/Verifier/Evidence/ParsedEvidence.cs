using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Attestation;
using Attest.Tpm.EventLog;
using Attest.Tpm.Ima;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Verifier.Evidence;

/// <summary>
/// A submission checked for *form* before anything is recorded: malformed TPM structures, PCR values or logs are a
/// 400 that changes nothing (the session stays open). Whether the content is trustworthy is the pipeline's job.
/// </summary>
internal sealed record ParsedEvidence(EvidenceSubmission Submission, PcrValues PcrValues, TcgEventLog? EventLog, ImaLog? ImaLog)
{
    public static ParsedEvidence Parse(EvidenceSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.Quote is not { Length: > 0 } || submission.Signature is not { Length: > 0 } || submission.Pcrs is null)
        {
            throw ApiProblemException.BadRequest("request.field_missing", "quote, signature and pcrs are required");
        }

        Structure("quote", () => TpmsAttest.Parse(submission.Quote));
        Structure("signature", () => TpmtSignature.Parse(submission.Signature));
        PcrValues values;
        try
        {
            values = PcrValues.FromHex(submission.Pcrs);
        }
        catch (FormatException ex)
        {
            throw ApiProblemException.BadRequest("request.pcr_values_invalid", $"pcrs: {ex.Message}");
        }

        var eventLog = submission.EventLog is { Length: > 0 } log ? Structure("eventLog", () => EventLogParser.Parse(log)) : null;
        if (submission.ImaLogOffset < 0)
        {
            throw ApiProblemException.BadRequest("request.ima_offset_invalid", "imaLogOffset must not be negative");
        }

        var imaLog = submission.ImaLog is { Length: > 0 } ima
            ? Structure("imaLog", () => ImaLog.Parse(ima, new ImaParseOptions { FirstIndex = submission.ImaLogOffset }))
            : null;

        return new ParsedEvidence(submission, values, eventLog, imaLog);
    }

    private static T Structure<T>(string field, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (TpmFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "request.malformed_tpm_structure", $"{field}: {ex.Message}",
                new Dictionary<string, object?> { ["field"] = field, ["structure"] = ex.Field, ["offset"] = ex.Offset });
        }
    }
}
