using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Pcrs;
using Attest.Verifier.Evidence;

namespace Attest.Verifier.Sessions;

/// <summary>Between the API's <c>{"sha256": [0,1,7]}</c> and <see cref="PcrSelection"/>.</summary>
internal static class PcrSelectionJson
{
    public static PcrSelection FromApi(IReadOnlyDictionary<string, IReadOnlyList<int>> banks, CryptoProfile profile)
    {
        var result = new List<PcrBankSelection>();
        foreach (var (name, indices) in banks.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            if (!TpmAlgNames.TryParseHash(name, out var hash) || TpmHash.DigestSize(hash) == 0)
            {
                throw ApiProblemException.BadRequest(SessionErrors.PcrSelectionInvalid, $"unknown PCR bank '{name}'");
            }

            if (profile.CheckPcrBank(hash) is { } refusal)
            {
                throw ApiProblemException.Unprocessable(SessionErrors.PcrBankRefused, $"{refusal} (profile {profile.Name})");
            }

            if (indices is null || indices.Count == 0 || indices.Any(i => i is < 0 or > 23))
            {
                throw ApiProblemException.BadRequest(SessionErrors.PcrSelectionInvalid, $"bank '{name}' needs PCR indices between 0 and 23");
            }

            result.Add(new PcrBankSelection(hash, indices.Distinct().Order().ToArray()));
        }

        if (result.Count == 0)
        {
            throw ApiProblemException.BadRequest(SessionErrors.PcrSelectionInvalid, "the PCR selection is empty");
        }

        return new PcrSelection(result);
    }

    public static IReadOnlyDictionary<string, IReadOnlyList<int>> ToApi(PcrSelection selection) =>
        selection.Banks.ToDictionary(b => b.Hash.Name(), b => b.Indices);

    public static PcrSelection Parse(string text) =>
        PcrSelection.TryParse(text, out var selection) && selection is not null
            ? selection
            : throw new InvalidOperationException($"invalid PCR selection '{text}'");
}
