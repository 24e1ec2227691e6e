using System.Security.Cryptography;
using System.Text;

namespace Attest.Tpm.Tests.Ima;

/// <summary>Logs shared by the IMA tests: every template, a violation, an unsigned and a signed file.</summary>
internal static class ImaSamples
{
    public static readonly byte[] RsaSignature = Enumerable.Range(0, 256).Select(i => (byte)(i * 7)).ToArray();

    public static byte[] Sha256(string content) => SHA256.HashData(Encoding.UTF8.GetBytes(content));

    public static ImaLogWriter EveryTemplate()
    {
        return new ImaLogWriter()
            .AddBootAggregate(Sha256("pcrs 0-9"))
            .AddImaNg("/usr/lib/systemd/systemd", Sha256("systemd"))
            .AddImaNg("/usr/bin/file with space", Sha256("spaced"))
            .AddIma("/usr/bin/old-style", SHA1.HashData("old"u8))
            .AddImaSig("/usr/bin/bash", Sha256("bash"), ImaLogWriter.SignatureV2(4, 0x1A2B3C4D, RsaSignature))
            .AddImaSig("/etc/unsigned.conf", Sha256("conf"), [])
            .AddImaBuf("kexec-cmdline", "root=/dev/sda1 ro quiet ima_policy=tcb"u8.ToArray())
            .AddImaBuf(".builtin_trusted_keys", [0x30, 0x82, 0x01, 0x0A, 0x00, 0xFF])
            .AddImaModsig("/lib/modules/6.1/kernel/fs/ext4.ko", Sha256("ext4 with sig"), [], Sha256("ext4"), [0x30, 0x80, 0x06, 0x09])
            .AddImaModsig("/lib/modules/6.1/kernel/fs/xfs.ko", Sha256("xfs"), [], null, [])
            .AddViolation("/var/log/written-while-open")
            .AddImaNg("/usr/lib64/libc.so.6", SHA512.HashData("libc"u8), "sha512")
            .AddImaNg("/custom/pcr", Sha256("pcr 11"), pcr: 11)
            .AddImaNg("/usr/bin/ls", Sha256("ls"));
    }

    public static ImaLogWriter ImaNg(int count, int seed = 1)
    {
        var writer = new ImaLogWriter().AddBootAggregate(Sha256("aggregate"));
        var random = new Random(seed);
        for (var i = 1; i < count; i++)
        {
            if (random.Next(50) == 0)
            {
                writer.AddViolation($"/tmp/violation-{i}");
            }
            else
            {
                writer.AddImaNg($"/usr/lib/file-{i}.so", Sha256($"content {i}"));
            }
        }

        return writer;
    }
}
