using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;

namespace Attest.Tpm.Tests.Support;

public static class PcrFixtures
{
    /// <summary>Random PCR values for every PCR of <paramref name="selection"/>.</summary>
    public static PcrValues RandomValues(PcrSelection selection)
    {
        var values = new PcrValues();
        foreach (var bank in selection.Banks)
        {
            foreach (var index in bank.Indices)
            {
                values.Set(bank.Hash, index, RandomNumberGenerator.GetBytes(TpmHash.DigestSize(bank.Hash)));
            }
        }

        return values;
    }

    public static PcrSelection Boot => new([
        new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14]),
    ]);
}
