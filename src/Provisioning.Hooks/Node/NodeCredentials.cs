using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Contracts.Verifier;
using Attest.Hooks.Services;
using Attest.Tpm.Credentials;

namespace Attest.Hooks.Node;

/// <summary>
/// Flow 4 on the node, right after a pass: make a TLS key and CSR, redeem the attestation for an agent token and
/// certificate, and (TPM delivery) unwrap the token secret with ActivateCredential, which only this TPM can do.
/// </summary>
public static class NodeCredentials
{
    public sealed record Options(string StateDirectory, string AttestationId, string OutputDirectory, string KeyAlgorithm = "ecc", string Delivery = CredentialDelivery.Tpm, bool WithCertificate = true, bool TpmKey = false);

    public sealed record Result(string NodeId, string TokenId, DateTimeOffset TokenExpiresAt, string TokenPath, string? CertificateSerial, string? CertificatePath, string? KeyPath, string? CaCertificatePath, IReadOnlyList<string> Warnings);

    public static async Task<Result> RequestAsync(TpmNode tpm, ServiceClient verifier, Options options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(options);
        var state = NodeState.Load(options.StateDirectory);
        if (state is not { Activated: true })
        {
            throw new InvalidOperationException($"this node is not enrolled (no activated AK in {options.StateDirectory}): run 'attest-hook enroll' first");
        }

        using var key = options.WithCertificate && !options.TpmKey ? CreateKey(options.KeyAlgorithm) : null;
        var tpmKey = options.WithCertificate && options.TpmKey
            ? await tpm.CreateTlsKeyAsync(state, $"CN={state.NodeId}", System.Text.Encoding.ASCII.GetBytes(options.AttestationId), ct)
            : null;
        var csr = tpmKey?.Csr ?? (key is null ? null : CreateCsr(state.NodeId, key));
        var proof = tpmKey is null ? null : new KeyCertification(tpmKey.Public.MarshalSized(), tpmKey.Certification.Attest, tpmKey.Certification.Signature);
        var issued = await verifier.PostAsync<IssuedCredentials>($"v1/nodes/{Uri.EscapeDataString(state.NodeId)}/credentials",
            new CredentialRequest(options.AttestationId, csr, options.Delivery, proof), ct);

        byte[]? secret = null;
        try
        {
            string token;
            if (issued.WrappedToken is { } wrapped)
            {
                secret = await UnwrapAsync(tpm, state, wrapped, ct);
                token = "atk_" + Base64Url.EncodeToString(secret);
            }
            else
            {
                token = issued.Token ?? throw new InvalidOperationException("the verifier returned neither a token nor a wrapped token");
            }

            Directory.CreateDirectory(options.OutputDirectory);
            var tokenPath = Path.Combine(options.OutputDirectory, "agent.token");
            WriteFile(tokenPath, token, ownerOnly: true);
            string? certificatePath = null, keyPath = null, caPath = null;
            if (issued.Certificate is { } certificate && (key is not null || tpmKey is not null))
            {
                var der = certificate.SealedCertificate is { } sealedCertificate
                    ? SealedCredential.Open(secret ?? throw new InvalidOperationException("a sealed certificate needs TPM delivery"), CredentialDelivery.SealedCertificatePurpose, sealedCertificate)
                    : null;
                var pem = der is not null ? new string(PemEncoding.Write("CERTIFICATE", der)) : certificate.CertificatePem!;
                certificatePath = Path.Combine(options.OutputDirectory, "agent.crt");
                caPath = Path.Combine(options.OutputDirectory, "ca.crt");
                if (key is not null)
                {
                    keyPath = Path.Combine(options.OutputDirectory, "agent.key");
                    WriteFile(keyPath, key.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
                }
                else
                {
                    // The private blob is wrapped by this TPM's SRK: useless elsewhere; a TPM-aware TLS stack loads it.
                    keyPath = Path.Combine(options.OutputDirectory, "agent.tpmkey.json");
                    WriteFile(keyPath, System.Text.Json.JsonSerializer.Serialize(new { @public = tpmKey!.Public.MarshalSized(), @private = tpmKey.Private }), ownerOnly: true);
                }

                WriteFile(certificatePath, pem, ownerOnly: false);
                WriteFile(caPath, certificate.CaCertificatePem, ownerOnly: false);
            }

            return new Result(issued.NodeId, issued.TokenId, issued.TokenExpiresAt, tokenPath, issued.Certificate?.Serial, certificatePath, keyPath, caPath, issued.Warnings);
        }
        finally
        {
            if (secret is not null)
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }

    /// <summary>ActivateCredential with this node's AK and EK: fails (TPM integrity error) in any other TPM.</summary>
    public static async Task<byte[]> UnwrapAsync(TpmNode tpm, NodeState state, WrappedSecret wrapped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(wrapped);
        var ek = await tpm.GetEndorsementKeyAsync(ct);
        try
        {
            var ak = await tpm.LoadAttestationKeyAsync(state, ct);
            try
            {
                return await tpm.ActivateCredentialAsync(ak, ek, new CredentialChallenge(wrapped.CredentialBlob, wrapped.EncryptedSecret), ct);
            }
            finally
            {
                await tpm.FlushAsync(ak);
            }
        }
        finally
        {
            if (ek.Transient)
            {
                await tpm.FlushAsync(ek.Handle);
            }
        }
    }

    /// <summary>The agent's TLS key: ECDSA P-256 by default; every choice is one the fips profile certifies.</summary>
    public static AsymmetricAlgorithm CreateKey(string algorithm) => algorithm switch
    {
        "ecc" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        "ecc384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        "rsa" => RSA.Create(3072),
        _ => throw new InvalidOperationException($"unknown key algorithm '{algorithm}' (ecc, ecc384 or rsa)"),
    };

    /// <summary>The subject is a courtesy: the verifier sets subject and SANs from the node's identity.</summary>
    public static byte[] CreateCsr(string nodeId, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest($"CN={nodeId}", ec, HashAlgorithmName.SHA256).CreateSigningRequest(),
        RSA rsa => new CertificateRequest($"CN={nodeId}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest(),
        _ => throw new ArgumentException("unsupported key type", nameof(key)),
    };

    private static void WriteFile(string path, string contents, bool ownerOnly)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
        }

        File.Move(temp, path, overwrite: true);
    }
}
