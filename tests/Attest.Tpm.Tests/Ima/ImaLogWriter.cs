using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Attest.Tpm.Tests.Ima;

/// <summary>
/// Writes IMA runtime logs the way the kernel does (security/integrity/ima: ima_template_lib.c for
/// field contents, ima_crypto.c for template hashes, ima_fs.c for the ASCII and binary forms), for
/// tests and for simulated nodes. Written independently of the parser in Attest.Tpm on purpose: it
/// uses only System.Security.Cryptography, so a misreading of the kernel cannot hide in both.
/// </summary>
public sealed class ImaLogWriter
{
    private const int ImaNamePadded = 256;
    private readonly List<Record> _records = [];

    /// <summary>One measurement: PCR, template name, field ids and bytes as the kernel stores them, violation flag.</summary>
    public sealed record Record(uint Pcr, string TemplateName, IReadOnlyList<(string Id, byte[] Data)> Fields, bool Violation);

    public IReadOnlyList<Record> Records => _records;

    /// <summary>The first entry of every IMA log: boot_aggregate, a digest over PCRs 0-7 (or 0-9).</summary>
    public ImaLogWriter AddBootAggregate(byte[] aggregate, string algo = "sha256", string template = "ima-ng") =>
        template == "ima" ? AddIma("boot_aggregate", aggregate) : AddImaNg("boot_aggregate", aggregate, algo);

    /// <summary>The original template: a 20-byte SHA-1 (or padded MD5) digest and a name of at most 255 bytes.</summary>
    public ImaLogWriter AddIma(string path, byte[] sha1Digest, uint pcr = 10)
    {
        if (sha1Digest.Length != 20)
        {
            throw new ArgumentException("the ima template's digest is 20 bytes", nameof(sha1Digest));
        }

        return Add(new Record(pcr, "ima", [("d", sha1Digest), ("n", Str(path))], false));
    }

    public ImaLogWriter AddImaNg(string path, byte[] fileDigest, string algo = "sha256", uint pcr = 10) =>
        Add(new Record(pcr, "ima-ng", [("d-ng", DigestNg(algo, fileDigest)), ("n-ng", Str(path))], false));

    /// <summary><paramref name="sig"/> is the security.ima value (or empty for an unsigned file).</summary>
    public ImaLogWriter AddImaSig(string path, byte[] fileDigest, byte[] sig, string algo = "sha256", uint pcr = 10) =>
        Add(new Record(pcr, "ima-sig", [("d-ng", DigestNg(algo, fileDigest)), ("n-ng", Str(path)), ("sig", sig)], false));

    /// <summary>A buffer measurement (kexec-cmdline, a keyring's key, critical data): the digest is of the buffer.</summary>
    public ImaLogWriter AddImaBuf(string eventName, byte[] buffer, string algo = "sha256", uint pcr = 10) =>
        Add(new Record(pcr, "ima-buf", [("d-ng", DigestNg(algo, Hash(algo, buffer))), ("n-ng", Str(eventName)), ("buf", buffer)], false));

    public ImaLogWriter AddImaModsig(string path, byte[] fileDigest, byte[] sig, byte[]? modsigDigest, byte[] modsig, string algo = "sha256", uint pcr = 10) =>
        Add(new Record(pcr, "ima-modsig",
        [
            ("d-ng", DigestNg(algo, fileDigest)), ("n-ng", Str(path)), ("sig", sig),
            ("d-modsig", modsigDigest is null ? [] : DigestNg(algo, modsigDigest)), ("modsig", modsig),
        ], false));

    /// <summary>
    /// A ToMToU/open-writers violation (ima_api.c ima_add_violation): the file digest is left as
    /// IMA_DIGEST_SIZE zero bytes, the template hash is logged as zeros and extended as 0xFF.
    /// </summary>
    public ImaLogWriter AddViolation(string path, string algo = "sha256", uint pcr = 10) =>
        Add(new Record(pcr, "ima-ng", [("d-ng", DigestNg(algo, new byte[20])), ("n-ng", Str(path))], true));

    /// <summary>Any template and fields, for templates the parser does not know.</summary>
    public ImaLogWriter AddRaw(uint pcr, string templateName, params (string Id, byte[] Data)[] fields) =>
        Add(new Record(pcr, templateName, fields, false));

    public ImaLogWriter Add(Record record)
    {
        _records.Add(record);
        return this;
    }

    /// <summary>The template hash as ima_calc_field_array_hash_tfm computes it (not what is logged for a violation).</summary>
    public static byte[] ComputeTemplateHash(Record record, HashAlgorithmName alg)
    {
        using var hash = IncrementalHash.CreateHash(alg);
        foreach (var (id, data) in record.Fields)
        {
            if (record.TemplateName != "ima")
            {
                hash.AppendData(U32(data.Length));
                hash.AppendData(data);
            }
            else if (id == "n")
            {
                var padded = new byte[ImaNamePadded];
                data.CopyTo(padded, 0);
                hash.AppendData(padded);
            }
            else
            {
                hash.AppendData(data);
            }
        }

        return hash.GetHashAndReset();
    }

    /// <summary>The template hash as the log shows it: zeros for a violation.</summary>
    public static byte[] LoggedTemplateHash(Record record, HashAlgorithmName alg) =>
        record.Violation ? new byte[Size(alg)] : ComputeTemplateHash(record, alg);

    /// <summary>binary_runtime_measurements (SHA-1) or binary_runtime_measurements_sha256 etc.</summary>
    public byte[] ToBinary(HashAlgorithmName? templateHash = null)
    {
        var alg = templateHash ?? HashAlgorithmName.SHA1;
        using var output = new MemoryStream();
        foreach (var record in _records)
        {
            output.Write(U32((int)record.Pcr));
            output.Write(LoggedTemplateHash(record, alg));
            var name = Encoding.ASCII.GetBytes(record.TemplateName);
            output.Write(U32(name.Length));
            output.Write(name);
            if (record.TemplateName == "ima")
            {
                // ima_fs.c: no data length; 'd' without field length; 'n' as strlen then the string.
                output.Write(record.Fields[0].Data);
                var path = record.Fields[1].Data.AsSpan().TrimEnd((byte)0);
                output.Write(U32(path.Length));
                output.Write(path);
                continue;
            }

            output.Write(U32(record.Fields.Sum(f => 4 + f.Data.Length)));
            foreach (var (_, data) in record.Fields)
            {
                output.Write(U32(data.Length));
                output.Write(data);
            }
        }

        return output.ToArray();
    }

    /// <summary>ascii_runtime_measurements (SHA-1) or ascii_runtime_measurements_sha256 etc.</summary>
    public string ToAscii(HashAlgorithmName? templateHash = null)
    {
        var alg = templateHash ?? HashAlgorithmName.SHA1;
        var text = new StringBuilder();
        foreach (var record in _records)
        {
            text.Append($"{record.Pcr,2} {Convert.ToHexStringLower(LoggedTemplateHash(record, alg))} {record.TemplateName}");
            foreach (var (id, data) in record.Fields)
            {
                text.Append(' ');
                if (data.Length == 0)
                {
                    continue;
                }

                text.Append(id switch
                {
                    "n" or "n-ng" => Encoding.UTF8.GetString(data.AsSpan().TrimEnd((byte)0)),
                    "d-ng" or "d-modsig" => Encoding.ASCII.GetString(data, 0, Array.IndexOf(data, (byte)0)) + Convert.ToHexStringLower(data.AsSpan(Array.IndexOf(data, (byte)0) + 1)),
                    _ => Convert.ToHexStringLower(data),
                });
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// PCR value after replaying every record into <paramref name="bank"/> (kernel 5.8+: per-bank template
    /// hash, violations as 0xFF), or with <paramref name="paddedSha1"/> as older kernels did.
    /// </summary>
    public byte[] ExpectedPcr(HashAlgorithmName bank, uint pcr = 10, int count = -1, bool paddedSha1 = false)
    {
        var value = new byte[Size(bank)];
        foreach (var record in _records.Take(count < 0 ? _records.Count : count).Where(r => r.Pcr == pcr))
        {
            var digest = new byte[value.Length];
            if (paddedSha1)
            {
                var sha1 = record.Violation ? Enumerable.Repeat((byte)0xFF, 20).ToArray() : ComputeTemplateHash(record, HashAlgorithmName.SHA1);
                sha1.AsSpan(0, Math.Min(20, digest.Length)).CopyTo(digest);
            }
            else if (record.Violation)
            {
                Array.Fill(digest, (byte)0xFF);
            }
            else
            {
                digest = ComputeTemplateHash(record, bank);
            }

            value = Hash(bank, [.. value, .. digest]);
        }

        return value;
    }

    public static byte[] Hash(string algo, byte[] data) => Hash(Name(algo), data);

    public static byte[] Hash(HashAlgorithmName alg, byte[] data)
    {
        using var hash = IncrementalHash.CreateHash(alg);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    /// <summary>An IMA v2 signature (signature_v2_hdr) around <paramref name="signature"/>.</summary>
    public static byte[] SignatureV2(byte hashAlgo, uint keyId, byte[] signature, byte type = 3)
    {
        var header = new byte[9];
        header[0] = type;
        header[1] = 2;
        header[2] = hashAlgo;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(3), keyId);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(7), (ushort)signature.Length);
        return [.. header, .. signature];
    }

    /// <summary>d-ng: "algo:" + NUL + digest (ima_eventdigest_init_common).</summary>
    public static byte[] DigestNg(string algo, byte[] digest) => [.. Encoding.ASCII.GetBytes(algo + ":"), 0, .. digest];

    private static byte[] Str(string s) => [.. Encoding.UTF8.GetBytes(s.Replace(' ', '_')), 0];

    private static byte[] U32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value);
        return bytes;
    }

    private static HashAlgorithmName Name(string algo) => algo switch
    {
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "sha384" => HashAlgorithmName.SHA384,
        "sha512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"no hash {algo}", nameof(algo)),
    };

    private static int Size(HashAlgorithmName alg) => Hash(alg, []).Length;
}
