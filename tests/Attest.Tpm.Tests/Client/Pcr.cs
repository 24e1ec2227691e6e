using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;

namespace Attest.Tpm.Tests.Client;

/// <summary>Shorthands for PCR selections in tests.</summary>
internal static class Pcr
{
    /// <summary>PCRs 0..23 in each bank, in the order given.</summary>
    public static PcrSelection All(params TpmAlgId[] banks) =>
        new(banks.Select(b => new PcrBankSelection(b, Enumerable.Range(0, 24).ToArray())));

    public static PcrSelection Of(TpmAlgId bank, params int[] indices) => PcrSelection.Of(bank, indices);
}
