using System.CommandLine;
using System.Text.Json;
using Attest.Policies.Authoring;
using Attest.Policies.Documents;
using Attest.Policies.Evaluation;
using Attest.Policies.Loading;
using Attest.Tpm.Wire;

namespace Attest.Cli.Policies;

/// <summary>
/// <c>attestctl policy validate|generate|test|diff</c>: author, check and review policies offline (docs/policies.md).
/// Exit codes: 0 ok; 1 the policy is invalid (validate), rejects the evidence (test) or differs (diff); 2 unusable input.
/// </summary>
internal static class PolicyCommands
{
    public static Command Create()
    {
        var policy = new Command("policy", "Write, test and review measured-boot and runtime (IMA) policies");
        policy.Subcommands.Add(CreateValidate());
        policy.Subcommands.Add(CreateGenerate());
        policy.Subcommands.Add(CreateTest());
        policy.Subcommands.Add(CreateDiff());
        return policy;
    }

    private static Command CreateValidate()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the policy, YAML or JSON" };
        var validate = new Command("validate", "Check a policy against its schema and for impossible or contradictory rules");
        validate.Arguments.Add(file);
        validate.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var result = PolicyLoader.Load(ReadText(path), path.Name);
            if (result.Succeeded)
            {
                var p = result.Policy!;
                parse.InvocationConfiguration.Output.WriteLine($"{path.Name}: valid {p.Kind} policy '{p.Name}' version {p.Version}");
                return CliRunner.Ok;
            }

            foreach (var error in result.Errors)
            {
                parse.InvocationConfiguration.Output.WriteLine($"{path.Name}:{error}");
            }

            return CliRunner.Failed;
        });
        return validate;
    }

    private static Command CreateGenerate()
    {
        var eventLog = new Option<FileInfo?>("--from-eventlog") { Description = "a known-good machine's binary_bios_measurements" };
        var ima = new Option<FileInfo?>("--ima") { Description = "its IMA log (ascii_ or binary_runtime_measurements[_sha256])" };
        var output = new Option<FileInfo?>("--out") { Description = "write here (the runtime policy goes next to it as NAME.runtime.yaml); default standard output" };
        var name = new Option<string>("--name") { Description = "policy name (lowercase, digits, . _ -)", DefaultValueFactory = _ => "generated" };
        var generate = new Command("generate", "Write a starting policy from a known-good machine's logs, commented with where each entry came from");
        generate.Options.Add(eventLog);
        generate.Options.Add(ima);
        generate.Options.Add(output);
        generate.Options.Add(name);
        generate.SetAction(parse =>
        {
            var logFile = parse.GetValue(eventLog);
            var imaFile = parse.GetValue(ima);
            if (logFile is null && imaFile is null)
            {
                throw new CliUsageException("give --from-eventlog FILE, --ima FILE, or both");
            }

            var policyName = parse.GetValue(name)!;
            var evidence = Build(logFile is null ? null : Common.InputFiles.ReadBytes(logFile, "event log"), imaFile is null ? null : Common.InputFiles.ReadBytes(imaFile, "IMA log"), imaFile?.Name);
            var documents = new List<(string Text, string Suffix)>();
            if (logFile is not null)
            {
                documents.Add((PolicyGenerator.MeasuredBoot(evidence, logFile.Name, policyName), ""));
            }

            if (imaFile is not null)
            {
                documents.Add((PolicyGenerator.Runtime(evidence.ImaLog!, evidence.ImaProvenCount, imaFile.Name, logFile is null ? policyName : policyName + "-runtime"), ".runtime"));
            }

            var target = parse.GetValue(output);
            if (target is null)
            {
                // Two kinds are two files; on standard output they are separated by a YAML document marker.
                parse.InvocationConfiguration.Output.Write(string.Join("---\n", documents.Select(d => d.Text)));
                return CliRunner.Ok;
            }

            foreach (var (text, suffix) in documents)
            {
                var path = suffix.Length == 0 || documents.Count == 1 ? target.FullName
                    : Path.Combine(target.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(target.Name) + suffix + (target.Extension.Length > 0 ? target.Extension : ".yaml"));
                File.WriteAllText(path, text);
                parse.InvocationConfiguration.Error.WriteLine($"wrote {path}");
            }

            return CliRunner.Ok;
        });
        return generate;
    }

    private static Command CreateTest()
    {
        var policies = new Option<FileInfo[]>("--policy") { Description = "a policy file; repeat for a measured-boot and a runtime policy", Required = true };
        var evidence = new Option<FileInfo>("--evidence") { Description = "evidence file (JSON: eventLog/imaLog paths or base64, optional pcrs; see docs/policies.md)", Required = true };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var test = new Command("test", "Judge evidence against policies offline and explain every rejection");
        test.Options.Add(policies);
        test.Options.Add(evidence);
        test.Options.Add(format);
        test.SetAction(parse =>
        {
            var loaded = parse.GetValue(policies)!.Select(LoadOrThrow).ToList();
            PolicyEvidence built;
            try
            {
                built = EvidenceFile.Load(parse.GetValue(evidence)!.FullName);
            }
            catch (InvalidDataException ex)
            {
                throw new CliUsageException(ex.Message);
            }

            var verdict = PolicyEvaluator.Evaluate(loaded, built);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new { passed = verdict.Passed, findings = verdict.Findings, notes = verdict.Notes }, JsonOptions));
            }
            else
            {
                output.Write(ExplanationRenderer.Render(verdict));
            }

            return verdict.Passed ? CliRunner.Ok : CliRunner.Failed;
        });
        return test;
    }

    private static Command CreateDiff()
    {
        var oldFile = new Argument<FileInfo>("OLD") { Description = "the policy in force" };
        var newFile = new Argument<FileInfo>("NEW") { Description = "the proposed policy" };
        var diff = new Command("diff", "Show what changes between two policies as rules (ignores order, quoting, comments), and whether each change loosens or tightens");
        diff.Arguments.Add(oldFile);
        diff.Arguments.Add(newFile);
        diff.SetAction(parse =>
        {
            var a = LoadOrThrow(parse.GetValue(oldFile)!);
            var b = LoadOrThrow(parse.GetValue(newFile)!);
            if (a.Kind != b.Kind)
            {
                throw new CliUsageException($"cannot compare a {a.Kind} policy with a {b.Kind} policy");
            }

            var changes = PolicyDiff.Compare(a, b);
            var output = parse.InvocationConfiguration.Output;
            foreach (var change in changes)
            {
                output.WriteLine(change.ToString());
            }

            output.WriteLine(changes.Count == 0 ? "no rule changes" : $"{changes.Count} change(s): {changes.Count(c => c.Effect == "looser")} looser, {changes.Count(c => c.Effect == "stricter")} stricter");
            return changes.Count == 0 ? CliRunner.Ok : CliRunner.Failed;
        });
        return diff;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static Policy LoadOrThrow(FileInfo file)
    {
        var result = PolicyLoader.Load(ReadText(file), file.Name);
        return result.Policy ?? throw new CliUsageException($"{file.Name} is not a valid policy:\n  " + string.Join("\n  ", result.Errors.Select(e => $"{file.Name}:{e}")));
    }

    private static string ReadText(FileInfo file) => System.Text.Encoding.UTF8.GetString(Common.InputFiles.ReadBytes(file, "policy"));

    private static PolicyEvidence Build(byte[]? eventLog, byte[]? imaLog, string? imaName)
    {
        try
        {
            return EvidenceBuilder.Build(eventLog, imaLog, null, imaName);
        }
        catch (TpmFormatException)
        {
            throw;
        }
        catch (InvalidDataException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }
}
