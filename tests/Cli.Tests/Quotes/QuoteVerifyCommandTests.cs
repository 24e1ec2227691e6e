using System.Security.Cryptography;
using System.Text.Json;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Tests.Support;

namespace Attest.Cli.Tests.Quotes;

public sealed class QuoteVerifyCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(20);

    private string[] Evidence(SoftwareAttestationKey key, bool pemKey = false, bool tamperPcr = false)
    {
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        var (attest, signature) = key.Quote(_nonce, PcrFixtures.Boot, values);
        if (tamperPcr)
        {
            values.Set(TpmAlgId.Sha256, 7, new byte[32]);
        }

        var akFile = pemKey
            ? _cli.File("ak.pem", PemEncoding.WriteString("PUBLIC KEY", key.Public.ExportSubjectPublicKeyInfo()))
            : _cli.File("ak.pub", key.Public.MarshalSized());
        return ["quote", "verify", "--ak", akFile, "--quote", _cli.File("quote.msg", attest),
            "--signature", _cli.File("quote.sig", signature), "--pcrs", _cli.File("pcrs.json", values.ToJson()),
            "--nonce", Convert.ToHexString(_nonce)];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Genuine_quote_exits_zero(bool pemKey)
    {
        using var key = SoftwareAttestationKey.CreateEcc();

        var (code, stdout, _) = _cli.Run(Evidence(key, pemKey));

        Assert.Equal(0, code);
        Assert.Contains("quote verified (signature, nonce, PCR digest)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_pcr_exits_one_and_prints_the_code()
    {
        using var key = SoftwareAttestationKey.CreateRsa();

        var (code, stdout, _) = _cli.Run(Evidence(key, tamperPcr: true));

        Assert.Equal(1, code);
        Assert.Contains("quote.pcr_digest_mismatch", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_lists_failure_codes()
    {
        using var key = SoftwareAttestationKey.CreateRsa();
        string[] args = [.. Evidence(key), "--format", "json"];
        args[Array.IndexOf(args, "--nonce") + 1] = "00";

        var (code, stdout, _) = _cli.Run(args);

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("quote.nonce_mismatch", json.RootElement.GetProperty("failures")[0].GetProperty("code").GetString());
        Assert.Equal(1u, json.RootElement.GetProperty("quote").GetProperty("resetCount").GetUInt32());
    }

    [Fact]
    public void Sha1_quote_fails_only_under_the_fips_profile()
    {
        using var key = SoftwareAttestationKey.CreateRsa(2048, TpmAlgId.Sha1);
        var args = Evidence(key);

        var (lenient, _, _) = _cli.Run(args);
        var (fips, stdout, _) = _cli.Run([.. args, "--profile", "fips"]);

        Assert.Equal(0, lenient);
        Assert.Equal(1, fips);
        Assert.Contains("quote.algorithm_refused", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_key_exits_two_with_file_structure_and_offset()
    {
        using var key = SoftwareAttestationKey.CreateRsa();
        var args = Evidence(key);
        var akPath = args[Array.IndexOf(args, "--ak") + 1];
        File.WriteAllBytes(akPath, File.ReadAllBytes(akPath)[..40]);

        var (code, stdout, stderr) = _cli.Run(args);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("ak.pub", stderr, StringComparison.Ordinal);
        Assert.Contains("offset", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--nonce", "zz")]
    [InlineData("--pcrs", "missing.json")]
    [InlineData("--profile", "weak")]
    public void Unusable_option_exits_two(string option, string value)
    {
        using var key = SoftwareAttestationKey.CreateEcc();
        var args = Evidence(key);
        var at = Array.IndexOf(args, option);
        args = at >= 0 ? args : [.. args, option, value];
        args[Array.IndexOf(args, option) + 1] = value;

        var (code, _, stderr) = _cli.Run(args);

        Assert.Equal(2, code);
        Assert.StartsWith("attestctl: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_pcr_json_exits_two_naming_the_problem()
    {
        using var key = SoftwareAttestationKey.CreateEcc();
        var args = Evidence(key);
        File.WriteAllText(args[Array.IndexOf(args, "--pcrs") + 1], "{\"sha256\": {\"0\": \"abcd\"}}");

        var (code, _, stderr) = _cli.Run(args);

        Assert.Equal(2, code);
        Assert.Contains("sha256 PCR 0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_option_exits_two()
    {
        var (code, _, stderr) = _cli.Run("quote", "verify", "--quote", "x");

        Assert.Equal(2, code);
        Assert.Contains("--ak", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
