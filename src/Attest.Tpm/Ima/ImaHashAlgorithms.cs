using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>
/// The kernel's own hash-algorithm numbering and names (include/uapi/linux/hash_info.h,
/// crypto/hash_info.c). IMA uses them, not TPM_ALG_ID: in the <c>algo:</c> prefix of
/// <c>d-ng</c> digests and in the hash_algo byte of signature headers.
/// </summary>
public static class ImaHashAlgorithms
{
    // Index = enum hash_algo value; string = hash_algo_name[].
    private static readonly string[] Names =
    [
        "md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224",
        "rmd128", "rmd256", "rmd320", "wp256", "wp384", "wp512", "tgr128", "tgr160",
        "tgr192", "sm3", "streebog256", "streebog512", "sha3-256", "sha3-384", "sha3-512",
    ];

    /// <summary>Kernel name of hash_algo <paramref name="id"/>, or <c>hash_algo#N</c> when unknown.</summary>
    public static string NameOf(byte id) => id < Names.Length ? Names[id] : $"hash_algo#{id}";

    /// <summary>
    /// Returns the interned name for the bytes of a name (avoids one string per log entry for
    /// the handful of names that occur), or a new string for anything else.
    /// </summary>
    internal static string Intern(ReadOnlySpan<byte> ascii)
    {
        foreach (var name in Names)
        {
            if (ascii.Length == name.Length && Matches(ascii, name))
            {
                return name;
            }
        }

        return System.Text.Encoding.ASCII.GetString(ascii);
    }

    /// <summary>The TPM bank matching a kernel hash name (sha1, sha256, sm3, sha3-256, ...), if any.</summary>
    public static bool TryGetTpmAlgorithm(string name, out TpmAlgId alg)
    {
        alg = name switch
        {
            "sha1" => TpmAlgId.Sha1,
            "sha256" => TpmAlgId.Sha256,
            "sha384" => TpmAlgId.Sha384,
            "sha512" => TpmAlgId.Sha512,
            "sm3" => TpmAlgId.Sm3_256,
            "sha3-256" => TpmAlgId.Sha3_256,
            "sha3-384" => TpmAlgId.Sha3_384,
            "sha3-512" => TpmAlgId.Sha3_512,
            _ => TpmAlgId.Error,
        };
        return alg != TpmAlgId.Error;
    }

    private static bool Matches(ReadOnlySpan<byte> ascii, string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (ascii[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }
}
