namespace Attest.Tpm.Objects;

/// <summary>TPMA_OBJECT bits (TPM 2.0 Part 2 §8.3).</summary>
[Flags]
#pragma warning disable CA1028 // Wire type is UINT32.
public enum ObjectAttributes : uint
#pragma warning restore CA1028
{
    None = 0,
    FixedTpm = 1u << 1,
    StClear = 1u << 2,
    FixedParent = 1u << 4,
    SensitiveDataOrigin = 1u << 5,
    UserWithAuth = 1u << 6,
    AdminWithPolicy = 1u << 7,
    NoDa = 1u << 10,
    EncryptedDuplication = 1u << 11,
    Restricted = 1u << 16,
    Decrypt = 1u << 17,
    Sign = 1u << 18,
    X509Sign = 1u << 19,
}
