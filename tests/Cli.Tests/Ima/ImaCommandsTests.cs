using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Attest.Cli.Ima;
using Attest.Tpm.Tests.Ima;

namespace Attest.Cli.Tests.Ima;

public sealed class ImaCommandsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("attestctl-ima-");
    private readonly ImaLogWriter _writer = new ImaLogWriter()
        .AddBootAggregate(SHA256.HashData("agg"u8))
        .AddImaNg("/usr/bin/bash", SHA256.HashData("bash"u8))
        .AddImaSig("/usr/bin/signed", SHA256.HashData("s"u8), ImaLogWriter.SignatureV2(4, 0x1A2B3C4D, new byte[64]))
        .AddImaBuf("kexec-cmdline", "root=/dev/sda1 ro"u8.ToArray())
        .AddViolation("/var/log/x");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Show_lists_every_entry_decoded()
    {
        var (code, stdout, _) = Run("ima", "show", Write("binary_runtime_measurements", _writer.ToBinary()));
        Assert.Equal(0, code);
        Assert.Contains("boot_aggregate", stdout, StringComparison.Ordinal);
        Assert.Contains("sig=digsig,v2,sha256,keyid=1a2b3c4d,size=64", stdout, StringComparison.Ordinal);
        Assert.Contains("buf=\"root=/dev/sda1 ro\"", stdout, StringComparison.Ordinal);
        Assert.Contains("VIOLATION", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_json_has_one_object_per_entry()
    {
        var (code, stdout, _) = Run("ima", "show", Write("ascii_runtime_measurements", Encoding.UTF8.GetBytes(_writer.ToAscii())), "--format", "json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("ascii", doc.RootElement.GetProperty("format").GetString());
        var entries = doc.RootElement.GetProperty("entries");
        Assert.Equal(5, entries.GetArrayLength());
        Assert.Equal("/usr/bin/bash", entries[1].GetProperty("name").GetString());
        Assert.Equal("1a2b3c4d", entries[2].GetProperty("signature").GetProperty("key_id").GetString());
        Assert.True(entries[4].GetProperty("violation").GetBoolean());
    }

    [Fact]
    public void Replay_json_gives_pcr_10_per_bank()
    {
        var file = Write("binary_runtime_measurements_sha256", _writer.ToBinary(HashAlgorithmName.SHA256));
        var (code, stdout, _) = Run("ima", "replay", file, "--format", "json", "--bank", "sha1", "--bank", "sha256");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var pcrs = doc.RootElement.GetProperty("pcrs");
        Assert.Equal(Convert.ToHexStringLower(_writer.ExpectedPcr(HashAlgorithmName.SHA1)), pcrs.GetProperty("sha1").GetProperty("10").GetString());
        Assert.Equal(Convert.ToHexStringLower(_writer.ExpectedPcr(HashAlgorithmName.SHA256)), pcrs.GetProperty("sha256").GetProperty("10").GetString());
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Replay_against_the_quoted_pcr_passes_and_against_another_fails_with_exit_1()
    {
        var file = Write("binary_runtime_measurements", _writer.ToBinary());
        var good = Convert.ToHexStringLower(_writer.ExpectedPcr(HashAlgorithmName.SHA256));
        Assert.Equal(0, Run("ima", "replay", file, "--bank", "sha256", "--expect", good).Code);

        var (code, stdout, _) = Run("ima", "replay", file, "--bank", "sha256", "--expect", new string('0', 64));
        Assert.Equal(1, code);
        Assert.Contains("FAIL ima.pcr_mismatch", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Edited_log_fails_with_exit_1_naming_the_entry()
    {
        var text = _writer.ToAscii().Replace("/usr/bin/bash", "/usr/bin/evil", StringComparison.Ordinal);
        var (code, stdout, _) = Run("ima", "replay", Write("ascii_runtime_measurements", Encoding.UTF8.GetBytes(text)), "--format", "json");
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        var failure = doc.RootElement.GetProperty("failures")[0];
        Assert.Equal("ima.template_hash_mismatch", failure.GetProperty("code").GetString());
        Assert.Equal(1, failure.GetProperty("entry").GetInt32());
    }

    [Fact]
    public void Truncated_log_exits_2_with_one_line_naming_field_and_offset()
    {
        var bytes = _writer.ToBinary();
        var (code, _, stderr) = Run("ima", "show", Write("binary_runtime_measurements", bytes[..(bytes.Length - 3)]));
        Assert.Equal(2, code);
        Assert.StartsWith("attestctl: malformed ima_", stderr, StringComparison.Ordinal);
        Assert.Contains("at offset", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Unknown_bank_exits_2() =>
        Assert.Equal(2, Run("ima", "replay", Write("binary_runtime_measurements", _writer.ToBinary()), "--bank", "md5").Code);

    [Fact]
    public void Missing_file_exits_2() => Assert.Equal(2, Run("ima", "show", Path.Combine(_dir.FullName, "absent")).Code);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(ImaCommands.Create());
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliRunner.Run(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
