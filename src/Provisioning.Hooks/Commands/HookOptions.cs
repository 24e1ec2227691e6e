using System.CommandLine;

namespace Attest.Hooks.Commands;

/// <summary>Options every attest-hook command shares; environment variables give the defaults a ramdisk sets once.</summary>
internal static class HookOptions
{
    public static readonly Option<string?> Registrar = new("--registrar")
    {
        Description = "registrar URL (env ATTEST_REGISTRAR_URL)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_REGISTRAR_URL"),
    };

    public static readonly Option<string?> Verifier = new("--verifier")
    {
        Description = "verifier URL (env ATTEST_VERIFIER_URL)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_VERIFIER_URL"),
    };

    public static readonly Option<string> Tpm = new("--tpm")
    {
        Description = "TPM: /dev/tpmrm0 or swtpm:HOST:PORT (env ATTEST_TPM)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_TPM") ?? "/dev/tpmrm0",
    };

    public static readonly Option<string?> NodeId = new("--node-id")
    {
        Description = "node id, e.g. the Ironic node UUID (env ATTEST_NODE_ID; default: the SMBIOS system UUID)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_NODE_ID"),
    };

    public static readonly Option<string> StateDir = new("--state-dir")
    {
        Description = "where the AK's TPM-wrapped blob is kept (env ATTEST_STATE_DIR)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_STATE_DIR") ?? "/var/lib/attest-hook",
    };

    public static readonly Option<FileInfo?> CaCertificate = new("--ca-cert")
    {
        Description = "PEM certificate to trust for the services' TLS besides the system roots (env ATTEST_CA_CERT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_CA_CERT") is { Length: > 0 } path ? new FileInfo(path) : null,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key for conductor-side calls (env ATTEST_API_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATTEST_API_KEY"),
    };

    public static readonly Option<int> Timeout = new("--timeout")
    {
        Description = "seconds to wait for one request",
        DefaultValueFactory = _ => 10,
    };

    public static readonly Option<int> Retries = new("--retries")
    {
        Description = "attempts for an unreachable service (exponential backoff between them)",
        DefaultValueFactory = _ => 4,
    };

    public static readonly Option<string> Format = new("--format")
    {
        Description = "output: text or json",
        DefaultValueFactory = _ => "text",
    };
}
