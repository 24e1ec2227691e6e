using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Data;
using Attest.Tpm.EventLog.Facts;

namespace Attest.Cli.EventLog;

/// <summary>
/// <c>attestctl eventlog show|replay|facts</c>: read a TCG PC Client measured-boot log
/// (<c>/sys/kernel/security/tpm0/binary_bios_measurements</c>). A malformed log exits 2 naming the
/// structure and offset; with <c>--pcrs</c>, facts come only from events proven by replay and a
/// mismatch exits 1.
/// </summary>
internal static class EventLogCommands
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Device paths and command lines are full of backslashes and quotes: keep them readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var eventlog = new Command("eventlog", "TCG PC Client measured-boot event logs (binary_bios_measurements)");
        eventlog.Subcommands.Add(Show());
        eventlog.Subcommands.Add(Replay());
        eventlog.Subcommands.Add(Facts());
        return eventlog;
    }

    private static Argument<FileInfo> FileArgument() => new("FILE") { Description = "the binary event log" };

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "output format: text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    private static Command Show()
    {
        var file = FileArgument();
        var format = FormatOption();
        var show = new Command("show", "print every event: PCR, type, digests and decoded data");
        show.Arguments.Add(file);
        show.Options.Add(format);
        show.SetAction(parse =>
        {
            var log = Load(parse.GetValue(file)!);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                var events = log.Events.Select(e => new
                {
                    e.Index,
                    e.Offset,
                    Pcr = e.PcrIndex,
                    Type = e.TypeName,
                    Digests = e.Digests.ToDictionary(d => d.Algorithm.Name(), d => d.Hex),
                    DataSize = e.Data.Length,
                    Data = Convert.ToHexStringLower(e.Data),
                    Decoded = EventDataDecoder.Decode(log, e),
                });
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    Format = log.Format.ToString(),
                    Banks = log.Banks.Select(b => new { b.Name, b.DigestSize }),
                    log.StartupLocality,
                    log.TrailingPaddingBytes,
                    Events = events,
                }, Json));
                return CliRunner.Ok;
            }

            output.WriteLine($"format: {log.Format}, banks: {string.Join(", ", log.Banks.Select(b => $"{b.Name} ({b.DigestSize} bytes)"))}, startup locality: {log.StartupLocality}, events: {log.Events.Count}");
            foreach (var e in log.Events)
            {
                output.WriteLine($"#{e.Index} PCR {e.PcrIndex} {e.TypeName} ({e.Data.Length} bytes at offset {e.DataOffset})");
                foreach (var d in e.Digests)
                {
                    output.WriteLine($"    {d.Algorithm.Name()}: {d.Hex}");
                }

                foreach (var line in Describe(EventDataDecoder.Decode(log, e), e))
                {
                    output.WriteLine($"    {line}");
                }
            }

            return CliRunner.Ok;
        });
        return show;
    }

    private static Command Replay()
    {
        var file = FileArgument();
        var format = FormatOption();
        var replay = new Command("replay", "replay the log into PCR values, per bank, for every PCR that has events");
        replay.Arguments.Add(file);
        replay.Options.Add(format);
        replay.SetAction(parse =>
        {
            var log = Load(parse.GetValue(file)!);
            var result = EventLogReplay.Replay(log);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                var json = new JsonObject();
                foreach (var bank in result.Banks)
                {
                    var pcrs = new JsonObject();
                    foreach (var (pcr, value) in bank.Pcrs)
                    {
                        pcrs[pcr.ToString(CultureInfo.InvariantCulture)] = Convert.ToHexStringLower(value);
                    }

                    json[bank.Bank.Name()] = pcrs;
                }

                output.WriteLine(json.ToJsonString(Json));
                return CliRunner.Ok;
            }

            foreach (var bank in result.Banks)
            {
                output.WriteLine($"{bank.Bank.Name()}:");
                foreach (var (pcr, value) in bank.Pcrs)
                {
                    var note = bank.IncompletePcrs.Contains(pcr) ? "  (incomplete: an event has no digest in this bank)" : "";
                    output.WriteLine($"  {pcr,2} : {Convert.ToHexStringLower(value)}{note}");
                }
            }

            foreach (var bank in result.UnsupportedBanks)
            {
                output.WriteLine($"{bank.Name()}: not replayed (hash not available here)");
            }

            return CliRunner.Ok;
        });
        return replay;
    }

    private static Command Facts()
    {
        var file = FileArgument();
        var format = FormatOption();
        var pcrsOption = new Option<FileInfo>("--pcrs")
        {
            Description = "quoted PCR values as JSON {\"sha256\": {\"0\": \"<hex>\", ...}}: facts then come only from events proven by replay",
        };
        var facts = new Command("facts", "boot facts: firmware, Secure Boot state and keys, boot chain, kernel command line");
        facts.Arguments.Add(file);
        facts.Options.Add(pcrsOption);
        facts.Options.Add(format);
        facts.SetAction(parse =>
        {
            var log = Load(parse.GetValue(file)!);
            var output = parse.InvocationConfiguration.Output;
            var pcrsFile = parse.GetValue(pcrsOption);
            EventLogVerification? verification = null;
            BootFacts bootFacts;
            if (pcrsFile is not null)
            {
                verification = EventLogVerifier.Verify(log, ReadQuotedPcrs(pcrsFile));
                bootFacts = BootFactsExtractor.FromVerified(log, verification);
            }
            else
            {
                bootFacts = BootFactsExtractor.FromUnverified(log);
            }

            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    Verification = verification is null ? null : new
                    {
                        verification.Succeeded,
                        MatchedPcrs = verification.MatchedPcrs.Select(p => p.ToString()),
                        MismatchedPcrs = verification.MismatchedPcrs.Select(p => p.ToString()),
                        verification.UnverifiedPcrs,
                        VerifiedEventCount = verification.VerifiedEvents.Count,
                        verification.Failures,
                    },
                    Facts = bootFacts,
                }, Json));
            }
            else
            {
                WriteFactsText(output, bootFacts, verification);
            }

            return verification is { Succeeded: false } ? CliRunner.Failed : CliRunner.Ok;
        });
        return facts;
    }

    private static TcgEventLog Load(FileInfo file)
    {
        if (file.Exists && file.Length > EventLogLimits.MaxLogBytes)
        {
            throw new CliUsageException($"{file.FullName}: {file.Length} bytes is larger than any event log ({EventLogLimits.MaxLogBytes} bytes at most)");
        }

        return EventLogParser.Parse(File.ReadAllBytes(file.FullName));
    }

    internal static Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> ReadQuotedPcrs(FileInfo file)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(file.FullName));
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{file.Name}: not JSON: {ex.Message}");
        }

        if (root is not JsonObject banks)
        {
            throw new CliUsageException($"{file.Name}: expected {{\"sha256\": {{\"0\": \"<hex>\", ...}}, ...}}");
        }

        var quoted = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>();
        foreach (var (bankName, pcrsNode) in banks)
        {
            if (!TpmAlgNames.TryParseHash(bankName, out var bank))
            {
                throw new CliUsageException($"{file.Name}: \"{bankName}\" is not a PCR bank (sha1, sha256, sha384, sha512)");
            }

            if (pcrsNode is not JsonObject pcrs)
            {
                throw new CliUsageException($"{file.Name}: bank \"{bankName}\" must map PCR numbers to hex values");
            }

            var values = new Dictionary<int, byte[]>();
            foreach (var (pcrName, valueNode) in pcrs)
            {
                if (!int.TryParse(pcrName, NumberStyles.None, CultureInfo.InvariantCulture, out var pcr) || pcr >= EventLogLimits.PcrCount)
                {
                    throw new CliUsageException($"{file.Name}: \"{pcrName}\" in bank {bankName} is not a PCR number 0-{EventLogLimits.PcrCount - 1}");
                }

                var text = valueNode is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    text = text[2..];
                }

                try
                {
                    values[pcr] = Convert.FromHexString(text ?? throw new FormatException("not a string"));
                }
                catch (FormatException)
                {
                    throw new CliUsageException($"{file.Name}: {bankName} PCR {pcr} is not a hex string");
                }
            }

            quoted[bank] = values;
        }

        return quoted;
    }

    private static IEnumerable<string> Describe(EventData data, TcgEvent e)
    {
        switch (data)
        {
            case RawEventData raw:
                if (raw.DecodeError is not null)
                {
                    yield return $"not decoded: {raw.DecodeError}";
                }

                if (e.Data.Length > 0)
                {
                    yield return $"data: {Convert.ToHexStringLower(e.Data.AsSpan(0, Math.Min(e.Data.Length, 64)))}{(e.Data.Length > 64 ? "..." : "")}";
                }

                break;
            case TextEventData t:
                yield return $"\"{t.Text}\" ({t.Encoding})";
                break;
            case GuidEventData g:
                yield return $"guid {g.Guid}";
                break;
            case FirmwareBlobEventData b:
                yield return $"blob base 0x{b.BlobBase:x} length 0x{b.BlobLength:x}{(b.Description is null ? "" : $" \"{b.Description}\"")}";
                break;
            case SeparatorEventData s:
                yield return s.IsError ? $"separator 0x{s.Value:x8} (ERROR)" : "separator (normal)";
                break;
            case IplEventData ipl:
                yield return $"{ipl.Kind}: \"{ipl.Text}\" ({ipl.Encoding})";
                break;
            case ImageLoadEventData img:
                yield return $"image at 0x{img.ImageLocationInMemory:x}, {img.ImageLengthInMemory} bytes, from {img.DevicePath}";
                break;
            case GptEventData gpt:
                yield return $"GPT disk {gpt.DiskGuid}, {gpt.Partitions.Count} partition(s)";
                foreach (var p in gpt.Partitions)
                {
                    yield return $"  {p.UniquePartitionGuid} \"{p.Name}\" LBA {p.StartingLba}-{p.EndingLba} type {p.PartitionType}";
                }

                break;
            case HandoffTablesEventData h:
                yield return $"{h.Tables.Count} configuration table(s){(h.Description is null ? "" : $" \"{h.Description}\"")}: {string.Join(", ", h.Tables.Select(t => t.VendorGuid))}";
                break;
            case EventTagData tag:
                yield return $"tag 0x{tag.TaggedEventId:x8}: {tag.Text ?? Convert.ToHexStringLower(tag.TaggedEventData)}";
                break;
            case SpecIdEventData spec:
                yield return $"Spec ID Event03: spec {spec.SpecId.SpecVersionMajor}.{spec.SpecId.SpecVersionMinor} errata {spec.SpecId.SpecErrata}, uintnSize {spec.SpecId.UintnSize}, {string.Join(", ", spec.SpecId.Algorithms.Select(a => $"{a.Name}/{a.DigestSize}"))}";
                break;
            case StartupLocalityEventData loc:
                yield return $"StartupLocality {loc.Locality}";
                break;
            case NoActionVendorEventData vendor:
                yield return $"EV_NO_ACTION \"{vendor.Signature}\"";
                break;
            case UefiVariableEventData v:
                yield return $"variable {v.UnicodeName} ({v.VariableName}), {v.VariableData.Length} bytes";
                if (v.ContentError is not null)
                {
                    yield return $"content not decoded: {v.ContentError}";
                }

                foreach (var line in DescribeContent(v.Content))
                {
                    yield return line;
                }

                break;
        }
    }

    private static IEnumerable<string> DescribeContent(UefiVariableContent? content)
    {
        switch (content)
        {
            case ByteVariableContent b:
                yield return $"value {b.Value}";
                break;
            case TextVariableContent text:
                yield return $"\"{text.Text.TrimEnd('\n')}\"";
                break;
            case BootOrderContent order:
                yield return $"order {string.Join(",", order.Order.Select(n => n.ToString("X4", CultureInfo.InvariantCulture)))}";
                break;
            case LoadOptionContent option:
                yield return $"\"{option.Option.Description}\" {(option.Option.Active ? "active" : "inactive")} {option.Option.DevicePath}";
                break;
            case SignatureDataContent s:
                yield return DescribeSignature(s.Signature);
                break;
            case SignatureDatabaseContent db:
                foreach (var list in db.Lists)
                {
                    yield return $"{list.TypeName} list, {list.Signatures.Count} entr{(list.Signatures.Count == 1 ? "y" : "ies")}";
                    foreach (var s in list.Signatures.Take(list.TypeName == "x509" ? int.MaxValue : 3))
                    {
                        yield return "  " + DescribeSignature(s);
                    }
                }

                break;
        }
    }

    private static string DescribeSignature(EfiSignature s) => s.Hash is not null
        ? $"{s.Kind} {s.Hash}"
        : $"x509 \"{s.Subject}\" sha256 {s.Sha256Thumbprint}{(s.Error is null ? "" : $" ({s.Error})")}";

    private static void WriteFactsText(TextWriter output, BootFacts facts, EventLogVerification? verification)
    {
        if (verification is null)
        {
            output.WriteLine("NOT VERIFIED: no --pcrs given; these facts are the log's own claims");
        }
        else
        {
            output.WriteLine(verification.Succeeded ? "verification: every quoted PCR replays" : "verification: FAILED");
            output.WriteLine($"  matched: {string.Join(" ", verification.MatchedPcrs)}");
            if (verification.MismatchedPcrs.Count > 0)
            {
                output.WriteLine($"  did not match: {string.Join(" ", verification.MismatchedPcrs)}");
            }

            if (verification.UnverifiedPcrs.Count > 0)
            {
                output.WriteLine($"  not covered by the quote (events ignored): PCR {string.Join(", ", verification.UnverifiedPcrs)}");
            }

            foreach (var f in verification.Failures)
            {
                output.WriteLine($"  {f.Code}: {f.Message}");
            }
        }

        output.WriteLine($"startup locality: {facts.StartupLocality}");
        output.WriteLine($"CRTM versions: {string.Join("; ", facts.CrtmVersions)}");
        foreach (var b in facts.FirmwareBlobs)
        {
            output.WriteLine($"firmware: #{b.EventIndex} PCR {b.Pcr} {b.EventType} {(b.BlobBase is null ? b.Description : $"0x{b.BlobBase:x}+0x{b.BlobLength:x}")} {string.Join(" ", b.Digests.Select(d => $"{d.Key}:{d.Value}"))}");
        }

        var sb = facts.SecureBoot;
        output.WriteLine($"Secure Boot: enabled={Show(sb.Enabled)} setup mode={Show(sb.SetupMode)} audit mode={Show(sb.AuditMode)} deployed mode={Show(sb.DeployedMode)}");
        foreach (var (name, db) in new[] { ("PK", sb.Pk), ("KEK", sb.Kek), ("db", sb.Db), ("dbx", sb.Dbx) })
        {
            if (db is null)
            {
                continue;
            }

            output.WriteLine($"  {name}: {db.Certificates.Count} certificate(s), {db.HashCount} hash(es){(db.DecodeError is null ? "" : $" ({db.DecodeError})")}");
            foreach (var c in db.Certificates)
            {
                output.WriteLine($"    {c.Subject ?? "(unparsed)"} sha256 {c.Sha256Thumbprint}");
            }
        }

        foreach (var a in facts.AuthoritiesUsed)
        {
            output.WriteLine($"authority: #{a.EventIndex} {a.VariableName} {a.Subject ?? a.Hash} {(a.AfterSeparator ? "" : "(before separator)")}{(a.DataVerified ? "" : " (data not covered by digest)")}");
        }

        if (facts.SbatLevel is not null)
        {
            output.WriteLine($"SBAT level: {facts.SbatLevel}");
        }

        if (facts.BootOrder is not null)
        {
            output.WriteLine($"boot order: {string.Join(",", facts.BootOrder.Select(n => n.ToString("X4", CultureInfo.InvariantCulture)))}");
        }

        foreach (var entry in facts.BootEntries)
        {
            output.WriteLine($"boot entry: {entry.Name} \"{entry.Description}\" {entry.DevicePath}");
        }

        foreach (var app in facts.BootApplications)
        {
            output.WriteLine($"boot application: #{app.EventIndex} PCR {app.Pcr} [{app.Role}] {app.DevicePath} {string.Join(" ", app.Digests.Select(d => $"{d.Key}:{d.Value}"))}");
        }

        foreach (var driver in facts.Drivers)
        {
            output.WriteLine($"driver: #{driver.EventIndex} PCR {driver.Pcr} {driver.EventType} {driver.DevicePath}");
        }

        output.WriteLine($"kernel command line: {facts.KernelCommandLine ?? "(none)"}");
        foreach (var initrd in facts.Initrds)
        {
            output.WriteLine($"initrd: #{initrd.EventIndex} {initrd.Source} {initrd.Path} {string.Join(" ", (initrd.Digests ?? new Dictionary<string, string>()).Select(d => $"{d.Key}:{d.Value}"))}");
        }

        output.WriteLine($"separators: {string.Join(" ", facts.Separators.Select(s => s.IsError ? $"{s.Pcr}(ERROR {s.Value})" : s.Pcr.ToString(CultureInfo.InvariantCulture)))}");
        foreach (var u in facts.UnusualEvents)
        {
            output.WriteLine($"unusual: #{u.EventIndex} PCR {u.Pcr} {u.EventType}: {u.Reason}");
        }
    }

    private static string Show(bool? value) => value switch { true => "yes", false => "no", null => "not measured" };
}
