using System.CommandLine;
using System.Text;
using System.Text.Json;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Ima;

namespace Attest.Cli.Ima;

/// <summary>
/// <c>attestctl ima show|replay FILE</c>: reads an IMA runtime log in either form (ASCII or binary,
/// detected from the content; the template-hash algorithm from a <c>_sha256</c>-style file name or the
/// content). Exit 0 ok, 1 replay failed verification, 2 unusable input.
/// </summary>
internal static class ImaCommands
{
    public static Command Create()
    {
        var ima = new Command("ima", "Linux IMA runtime measurement logs (ascii_ or binary_runtime_measurements)");
        ima.Subcommands.Add(CreateShow());
        ima.Subcommands.Add(CreateReplay());
        return ima;
    }

    private static Command CreateShow()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the log, ASCII or binary" };
        var format = FormatOption();
        var logHash = LogHashOption();
        var show = new Command("show", "List the measurements of an IMA log, decoded");
        show.Arguments.Add(file);
        show.Options.Add(format);
        show.Options.Add(logHash);
        show.SetAction(parse =>
        {
            var log = Read(parse.GetValue(file)!, parse.GetValue(logHash));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                WriteJson(output, json => ShowJson(json, log));
            }
            else
            {
                ShowText(output, log);
            }

            return CliRunner.Ok;
        });
        return show;
    }

    private static Command CreateReplay()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the log, ASCII or binary" };
        var format = FormatOption();
        var logHash = LogHashOption();
        var banks = new Option<string[]>("--bank")
        {
            Description = "PCR bank to replay (sha1, sha256, sha384, sha512); repeatable; default: the log's template-hash bank",
        };
        var expect = new Option<string?>("--expect")
        {
            Description = "quoted PCR 10 value (hex) in the first --bank; a mismatch fails with exit 1",
        };
        var replay = new Command("replay", "Replay an IMA log into PCR values, checking every template hash");
        replay.Arguments.Add(file);
        replay.Options.Add(format);
        replay.Options.Add(logHash);
        replay.Options.Add(banks);
        replay.Options.Add(expect);
        replay.SetAction(parse =>
        {
            var log = Read(parse.GetValue(file)!, parse.GetValue(logHash));
            var bankList = (parse.GetValue(banks) ?? []).SelectMany(b => b.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(ParseBank).ToList();
            if (bankList.Count == 0)
            {
                bankList.Add(log.TemplateHashAlgorithm);
            }

            var options = new ImaReplayOptions { Banks = bankList };
            if (parse.GetValue(expect) is { } hex)
            {
                options = options with
                {
                    ExpectedPcrs = new Dictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>>
                    {
                        [bankList[0]] = new Dictionary<uint, byte[]> { [10] = ParseHex(hex, TpmHash.DigestSize(bankList[0]), "--expect") },
                    },
                };
            }

            var result = ImaReplay.Replay(log, options);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                WriteJson(output, json => ReplayJson(json, log, result));
            }
            else
            {
                ReplayText(output, log, result);
            }

            return result.Succeeded ? CliRunner.Ok : CliRunner.Failed;
        });
        return replay;
    }

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    private static Option<string?> LogHashOption() => new("--template-hash")
    {
        Description = "template-hash algorithm of the log when neither its name nor its content tells (e.g. sm3 logs)",
    };

    private static ImaLog Read(FileInfo file, string? templateHash)
    {
        var options = new ImaParseOptions
        {
            FileName = file.Name,
            TemplateHashAlgorithm = templateHash is null ? null : ParseBank(templateHash),
        };
        return ImaLog.Parse(File.ReadAllBytes(file.FullName), options);
    }

    private static TpmAlgId ParseBank(string name) =>
        TpmAlgNames.TryParseHash(name.Trim(), out var alg) && TpmHash.DigestSize(alg) > 0
            ? alg
            : throw new CliUsageException($"unknown hash bank '{name}' (sha1, sha256, sha384, sha512)");

    private static byte[] ParseHex(string hex, int size, string option)
    {
        try
        {
            var bytes = Convert.FromHexString(hex.Trim());
            return bytes.Length == size ? bytes : throw new CliUsageException($"{option}: {bytes.Length} bytes, the bank needs {size}");
        }
        catch (FormatException)
        {
            throw new CliUsageException($"{option}: not hex");
        }
    }

    private static void ShowText(TextWriter output, ImaLog log)
    {
        output.WriteLine($"# {log.Format.ToString().ToLowerInvariant()} log, {log.Entries.Count} entries, template hashes in {log.TemplateHashAlgorithm.Name()}");
        var line = new StringBuilder();
        foreach (var e in log.Entries)
        {
            line.Clear();
            line.Append($"{e.Index} pcr{e.Pcr} {Convert.ToHexStringLower(e.TemplateHash.Span)} {e.TemplateName}");
            if (e.FileDigest is { } digest)
            {
                line.Append(' ').Append(digest);
            }

            if (e.FileName is { } name)
            {
                line.Append(' ').Append(name);
            }

            if (e.SignatureHeader is { } sig)
            {
                line.Append($" sig={sig.TypeName},v{sig.Version},{sig.HashAlgorithmName},keyid={sig.KeyId:x8},size={sig.SignatureSize}{(sig.SizeMatches ? "" : "(mismatch)")}");
            }
            else if (!e.Signature.IsEmpty)
            {
                line.Append($" sig={Convert.ToHexStringLower(e.Signature.Span)}");
            }

            if (e.Buffer is { } buffer)
            {
                line.Append(e.BufferText is { } text ? $" buf=\"{text}\"" : $" buf={Convert.ToHexStringLower(buffer.Span)}");
            }

            if (e.ModSigDigest is { } modsigDigest)
            {
                line.Append($" modsig={modsigDigest} ({e.ModSig.Length} bytes)");
            }

            foreach (var raw in e.UnparsedAsciiFields ?? [])
            {
                line.Append(' ').Append(raw);
            }

            if (e.Template is null && e.UnparsedAsciiFields is null)
            {
                line.Append(" data=").Append(Convert.ToHexStringLower(e.TemplateData.Span));
            }

            if (e.IsViolation)
            {
                line.Append(" VIOLATION");
            }

            output.WriteLine(line.ToString());
        }
    }

    private static void ShowJson(Utf8JsonWriter json, ImaLog log)
    {
        json.WriteStartObject();
        json.WriteString("format", log.Format.ToString().ToLowerInvariant());
        json.WriteString("template_hash_algorithm", log.TemplateHashAlgorithm.Name());
        json.WriteStartArray("entries");
        foreach (var e in log.Entries)
        {
            json.WriteStartObject();
            json.WriteNumber("index", e.Index);
            json.WriteNumber("pcr", e.Pcr);
            json.WriteString("template_hash", Convert.ToHexStringLower(e.TemplateHash.Span));
            json.WriteString("template", e.TemplateName);
            json.WriteBoolean("violation", e.IsViolation);
            if (e.FileDigest is { } digest)
            {
                json.WriteString("digest_algorithm", digest.Algorithm);
                json.WriteString("digest", Convert.ToHexStringLower(digest.Digest.Span));
            }

            if (e.FileName is { } name)
            {
                json.WriteString("name", name);
            }

            if (!e.Signature.IsEmpty)
            {
                json.WriteString("sig", Convert.ToHexStringLower(e.Signature.Span));
            }

            if (e.SignatureHeader is { } sig)
            {
                json.WriteStartObject("signature");
                json.WriteString("type", sig.TypeName);
                json.WriteNumber("version", sig.Version);
                json.WriteString("hash_algorithm", sig.HashAlgorithmName);
                json.WriteString("key_id", sig.KeyId.ToString("x8"));
                json.WriteNumber("size", sig.SignatureSize);
                json.WriteBoolean("size_matches", sig.SizeMatches);
                json.WriteEndObject();
            }

            if (e.Buffer is { } buffer)
            {
                json.WriteString("buf", Convert.ToHexStringLower(buffer.Span));
                if (e.BufferText is { } text)
                {
                    json.WriteString("buf_text", text);
                }
            }

            if (e.ModSigDigest is { } modsigDigest)
            {
                json.WriteString("modsig_digest", modsigDigest.ToString());
            }

            if (!e.ModSig.IsEmpty)
            {
                json.WriteString("modsig", Convert.ToHexStringLower(e.ModSig.Span));
            }

            if (e.Template is null)
            {
                json.WriteStartArray("raw_fields");
                foreach (var field in e.Fields)
                {
                    json.WriteStringValue(Convert.ToHexStringLower(field.Span));
                }

                foreach (var field in e.UnparsedAsciiFields ?? [])
                {
                    json.WriteStringValue(field);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void ReplayText(TextWriter output, ImaLog log, ImaReplayResult result)
    {
        output.WriteLine($"# {log.Entries.Count} entries, template hashes in {log.TemplateHashAlgorithm.Name()}");
        foreach (var (bank, pcrs) in result.State.ToHex())
        {
            foreach (var (pcr, value) in pcrs)
            {
                output.WriteLine($"{bank} pcr{pcr}: {value}");
            }
        }

        foreach (var failure in result.Failures)
        {
            output.WriteLine($"FAIL {failure.Code}: {failure.Message}"
                + (failure.Expected is null ? "" : $" (expected {failure.Expected}, actual {failure.Actual})"));
        }

        output.WriteLine(result.Succeeded ? "ok" : $"{result.Failures.Count} failure(s)");
    }

    private static void ReplayJson(Utf8JsonWriter json, ImaLog log, ImaReplayResult result)
    {
        json.WriteStartObject();
        json.WriteNumber("entries", log.Entries.Count);
        json.WriteString("template_hash_algorithm", log.TemplateHashAlgorithm.Name());
        json.WriteStartObject("pcrs");
        foreach (var (bank, pcrs) in result.State.ToHex())
        {
            json.WriteStartObject(bank);
            foreach (var (pcr, value) in pcrs)
            {
                json.WriteString(pcr, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteBoolean("ok", result.Succeeded);
        json.WriteStartArray("failures");
        foreach (var f in result.Failures)
        {
            json.WriteStartObject();
            json.WriteString("code", f.Code);
            json.WriteString("message", f.Message);
            if (f.EntryIndex is { } entry)
            {
                json.WriteNumber("entry", entry);
            }

            if (f.Pcr is { } pcr)
            {
                json.WriteNumber("pcr", pcr);
            }

            if (f.Bank is { } bank)
            {
                json.WriteString("bank", bank.Name());
            }

            if (f.Expected is not null)
            {
                json.WriteString("expected", f.Expected);
                json.WriteString("actual", f.Actual);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
