using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>Creating, loading, reading, persisting and flushing objects.</summary>
public sealed partial class TpmClient
{
    /// <summary>Largest TPM2B_PUBLIC/TPM2B_PRIVATE/TPM2B_CREATION_DATA we accept back (TPMs use well under 1 KiB).</summary>
    private const int MaxBlob = 4096;

    /// <summary>
    /// TPM2_CreatePrimary (Part 3 §24.1): derives a primary key in <paramref name="hierarchy"/> from
    /// <paramref name="template"/> (see <see cref="KeyTemplates"/>). The same
    /// template in the same hierarchy yields the same key, which is how an EK is recreated.
    /// </summary>
    public async Task<CreatedPrimary> CreatePrimaryAsync(uint hierarchy, TpmPublic template, TpmAuthSession? hierarchyAuth = null, PcrSelection? creationPcrs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parameters = CreateParameters(template.Raw.Span, creationPcrs);
        var response = await ExecuteAsync(TpmCc.CreatePrimary, new[] { hierarchy }, Auth(hierarchyAuth), parameters, 1, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var publicArea = ReadPublicArea(ref reader, "TPM2_CreatePrimary outPublic");
        var creationData = reader.ReadSized("TPM2_CreatePrimary creationData", MaxBlob).ToArray();
        var creationHash = reader.ReadSized("TPM2_CreatePrimary creationHash", 64).ToArray();
        var ticket = ReadCreationTicket(ref reader, "TPM2_CreatePrimary creationTicket");
        var name = reader.ReadSized("TPM2_CreatePrimary name", 2 + 64).ToArray();
        reader.ExpectEnd("TPM2_CreatePrimary response");
        return new CreatedPrimary(response.Handles[0], publicArea, name, creationData, creationHash, ticket);
    }

    /// <summary>
    /// TPM2_Create (Part 3 §12.1): a key under a loaded parent. The private blob is wrapped by the
    /// parent and is useless elsewhere; load it with <see cref="LoadAsync"/>.
    /// </summary>
    public async Task<CreatedObject> CreateAsync(uint parent, TpmPublic template, TpmAuthSession? parentAuth = null, PcrSelection? creationPcrs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parameters = CreateParameters(template.Raw.Span, creationPcrs);
        var response = await ExecuteAsync(TpmCc.Create, new[] { parent }, Auth(parentAuth), parameters, 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var privateBlob = reader.ReadSized("TPM2_Create outPrivate", MaxBlob).ToArray();
        var publicArea = ReadPublicArea(ref reader, "TPM2_Create outPublic");
        var creationData = reader.ReadSized("TPM2_Create creationData", MaxBlob).ToArray();
        var creationHash = reader.ReadSized("TPM2_Create creationHash", 64).ToArray();
        var ticket = ReadCreationTicket(ref reader, "TPM2_Create creationTicket");
        reader.ExpectEnd("TPM2_Create response");
        return new CreatedObject(privateBlob, publicArea, creationData, creationHash, ticket);
    }

    /// <summary>TPM2_Load (Part 3 §12.2): loads a private/public pair under its parent; returns the transient handle and Name.</summary>
    public async Task<LoadedObject> LoadAsync(uint parent, ReadOnlyMemory<byte> privateBlob, TpmPublic publicArea, TpmAuthSession? parentAuth = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicArea);
        var writer = new TpmWriter();
        writer.WriteSized(privateBlob.Span).WriteSized(publicArea.Raw.Span);
        var response = await ExecuteAsync(TpmCc.Load, new[] { parent }, Auth(parentAuth), writer.ToArray(), 1, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var name = reader.ReadSized("TPM2_Load name", 2 + 64).ToArray();
        reader.ExpectEnd("TPM2_Load response");
        return new LoadedObject(response.Handles[0], name);
    }

    /// <summary>TPM2_ReadPublic (Part 3 §12.4): the public area, Name and qualified Name of a loaded or persistent object.</summary>
    public async Task<ObjectPublic> ReadPublicAsync(uint handle, CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(TpmCc.ReadPublic, new[] { handle }, null, default, 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var publicArea = ReadPublicArea(ref reader, "TPM2_ReadPublic outPublic");
        var name = reader.ReadSized("TPM2_ReadPublic name", 2 + 64).ToArray();
        var qualifiedName = reader.ReadSized("TPM2_ReadPublic qualifiedName", 2 + 64).ToArray();
        reader.ExpectEnd("TPM2_ReadPublic response");
        return new ObjectPublic(handle, publicArea, name, qualifiedName);
    }

    /// <summary>TPM2_FlushContext (Part 3 §28.4): frees a transient object or a session.</summary>
    public async Task FlushContextAsync(uint handle, CancellationToken cancellationToken = default)
    {
        // The handle is a parameter here, not in the handle area (Part 3 §28.4.2).
        var parameters = new TpmWriter(4).WriteUInt32(handle).ToArray();
        await ExecuteAsync(TpmCc.FlushContext, default, null, parameters, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// TPM2_EvictControl (Part 3 §28.5): makes a transient object persistent at <paramref name="persistentHandle"/>,
    /// or (given a persistent <paramref name="objectHandle"/>) evicts it.
    /// </summary>
    public async Task EvictControlAsync(uint objectHandle, uint persistentHandle, uint hierarchy = TpmHandles.Owner, TpmAuthSession? hierarchyAuth = null, CancellationToken cancellationToken = default)
    {
        var parameters = new TpmWriter(4).WriteUInt32(persistentHandle).ToArray();
        await ExecuteAsync(TpmCc.EvictControl, new[] { hierarchy, objectHandle }, Auth(hierarchyAuth), parameters, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the SRK (default RSA-2048, Provisioning Guidance §7.5.1) in the owner hierarchy, then an AK under it, and loads it.
    /// The SRK stays loaded only as long as needed; the caller owns (and flushes) the AK handle.
    /// </summary>
    public async Task<AttestationKey> CreateAttestationKeyAsync(TpmPublic akTemplate, TpmPublic? srkTemplate = null, CancellationToken cancellationToken = default)
    {
        var srk = await CreatePrimaryAsync(TpmHandles.Owner, srkTemplate ?? KeyTemplates.SrkRsa2048(), cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var created = await CreateAsync(srk.Handle, akTemplate, cancellationToken: cancellationToken).ConfigureAwait(false);
            var loaded = await LoadAsync(srk.Handle, created.PrivateBlob, created.Public, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new AttestationKey(loaded.Handle, loaded.Name, created);
        }
        finally
        {
            await FlushContextAsync(srk.Handle, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static byte[] CreateParameters(ReadOnlySpan<byte> template, PcrSelection? creationPcrs)
    {
        var writer = new TpmWriter(template.Length + 32);

        // TPM2B_SENSITIVE_CREATE with empty userAuth and data: keys made here are authorized by an
        // empty password (the AK) or by policy (the EK); the TPM generates all secret material.
        writer.WriteUInt16(4).WriteSized([]).WriteSized([]);
        writer.WriteSized(template);
        writer.WriteSized([]); // outsideInfo
        (creationPcrs ?? new PcrSelection([])).Write(writer);
        return writer.ToArray();
    }

    /// <summary>TPMT_TK_CREATION (Part 2 §10.7.3), kept as its marshaled bytes for TPM2_CertifyCreation.</summary>
    private static byte[] ReadCreationTicket(ref TpmReader reader, string field)
    {
        var start = reader.Position;
        var tag = reader.ReadUInt16(field + ".tag");
        if (tag != TpmSt.Creation)
        {
            throw reader.Fail(field + ".tag", $"0x{tag:X4} is not TPM_ST_CREATION");
        }

        _ = reader.ReadUInt32(field + ".hierarchy");
        _ = reader.ReadSized(field + ".digest", 64);
        return reader.Consumed(start).ToArray();
    }

    /// <summary>A TPM2B_PUBLIC from a response, parsed (keeping the bytes received, over which the Name is computed).</summary>
    private static TpmPublic ReadPublicArea(ref TpmReader reader, string field)
    {
        var offset = reader.Offset + 2;
        var bytes = reader.ReadSized(field, MaxBlob);
        return TpmPublic.Parse(bytes, offset);
    }
}

/// <summary>A primary key: transient handle, public area, Name, and the creation data/hash/ticket for TPM2_CertifyCreation.</summary>
public sealed record CreatedPrimary(uint Handle, TpmPublic Public, byte[] Name, byte[] CreationData, byte[] CreationHash, byte[] CreationTicket);

/// <summary>TPM2_Create's output: TPM2B_PRIVATE contents (wrapped by the parent), public area, creation data/hash/ticket.</summary>
public sealed record CreatedObject(byte[] PrivateBlob, TpmPublic Public, byte[] CreationData, byte[] CreationHash, byte[] CreationTicket);

/// <summary>A loaded object's transient handle and Name (nameAlg || H(TPMT_PUBLIC)).</summary>
public sealed record LoadedObject(uint Handle, byte[] Name);

/// <summary>TPM2_ReadPublic's output for <see cref="Handle"/>.</summary>
public sealed record ObjectPublic(uint Handle, TpmPublic Public, byte[] Name, byte[] QualifiedName);

/// <summary>A loaded AK with what the registrar needs: its Name, public area, and creation proof inputs.</summary>
public sealed record AttestationKey(uint Handle, byte[] Name, CreatedObject Created)
{
    public TpmPublic Public => Created.Public;
}
