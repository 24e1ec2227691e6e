using System.CommandLine;

namespace Attest.Cli.Quotes;

internal static class QuoteCommands
{
    public static Command Create()
    {
        var quote = new Command("quote", "TPM2 quote evidence");
        return quote;
    }
}
