using System.CommandLine;
using Attest.Tpm.Wire;

namespace Attest.Cli;

/// <summary>
/// Exit codes are a contract: 0 verified/ok, 1 verification failed or refused, 2 unusable input or usage, 3 service unreachable.
/// No stack trace reaches the user: malformed input and I/O errors become one clear line.
/// </summary>
public static class CliRunner
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Unusable = 2;
    public const int Unreachable = 3;

    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"attestctl: {error.Message}");
            }

            return Unusable;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (TpmFormatException ex)
        {
            stderr.WriteLine($"attestctl: {ex.Message}");
            return Unusable;
        }
        catch (CliUsageException ex)
        {
            stderr.WriteLine($"attestctl: {ex.Message}");
            return Unusable;
        }
        catch (Operations.VerifierRefusedException ex)
        {
            stderr.WriteLine($"attestctl: refused: {ex.Message}");
            return Failed;
        }
        catch (Operations.VerifierUnreachableException ex)
        {
            stderr.WriteLine($"attestctl: {ex.Message}");
            return Unreachable;
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"attestctl: {ex.Message}");
            return Unusable;
        }
        catch (UnauthorizedAccessException ex)
        {
            stderr.WriteLine($"attestctl: {ex.Message}");
            return Unusable;
        }
    }
}

/// <summary>Input the user gave that cannot be used (bad hex, unreadable JSON, wrong file kind).</summary>
public sealed class CliUsageException(string message) : Exception(message);
