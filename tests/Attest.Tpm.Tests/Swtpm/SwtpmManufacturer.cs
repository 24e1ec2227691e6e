using System.Diagnostics;

namespace Attest.Tpm.Tests.Swtpm;

/// <summary>
/// Manufactures one TPM state per test run with <c>swtpm_setup</c> (EK certificates signed by a
/// local CA of our own, in a temp dir, never <c>/var/lib/swtpm-localca</c>), which every
/// <see cref="SwtpmInstance"/> then copies: copying a 5 KB file is much faster than a second
/// swtpm_setup run, and all instances share one CA the registrar tests can trust.
/// </summary>
public sealed class SwtpmManufacturer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static SwtpmManufacturer? _shared;

    private SwtpmManufacturer(string directory)
    {
        Directory = directory;
    }

    /// <summary>The temp dir holding the CA and the manufactured state.</summary>
    public string Directory { get; }

    /// <summary>The manufactured TPM state (copy it; never run swtpm on it).</summary>
    public string StateTemplateDirectory => Path.Combine(Directory, "state");

    /// <summary>The local CA's self-signed root: the trust anchor for the EK certificates.</summary>
    public string RootCaCertificatePath => Path.Combine(Directory, "swtpm-localca-rootca-cert.pem");

    /// <summary>The intermediate that signed the EK certificates.</summary>
    public string IssuerCertificatePath => Path.Combine(Directory, "issuercert.pem");

    /// <summary>How long swtpm_setup took (for the record).</summary>
    public TimeSpan ManufactureTime { get; private set; }

    /// <summary>The state manufactured for this test run (made on first use, deleted at process exit).</summary>
    public static async Task<SwtpmManufacturer> GetSharedAsync(CancellationToken cancellationToken = default)
    {
        if (_shared is not null)
        {
            return _shared;
        }

        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_shared is null)
            {
                var directory = Path.Combine(Path.GetTempPath(), "attest-swtpm-ca-" + Guid.NewGuid().ToString("N")[..12]);
                var manufacturer = new SwtpmManufacturer(directory);
                try
                {
                    await manufacturer.ManufactureAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    TryDelete(directory);
                    throw;
                }

                AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(directory);
                _shared = manufacturer;
            }

            return _shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Manufactures another TPM with its own EKs (a different machine), certified by the same local CA, into
    /// <paramref name="stateDirectory"/>. About a second: use only where a test needs two distinct TPMs.
    /// </summary>
    public async Task ManufactureDistinctAsync(string stateDirectory, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(stateDirectory);
        await RunSetupAsync(stateDirectory, cancellationToken).ConfigureAwait(false);
    }

    private async Task ManufactureAsync(CancellationToken cancellationToken)
    {
        SwtpmEnvironment.RequireSwtpm();
        System.IO.Directory.CreateDirectory(StateTemplateDirectory);
        var setupConf = Path.Combine(Directory, "swtpm_setup.conf");
        var localcaConf = Path.Combine(Directory, "swtpm-localca.conf");
        var options = File.Exists("/etc/swtpm-localca.options") ? "/etc/swtpm-localca.options" : null;
        if (options is null)
        {
            options = Path.Combine(Directory, "swtpm-localca.options");
            await File.WriteAllTextAsync(options, "--platform-manufacturer Attest\n--platform-version 2.1\n--platform-model swtpm\n", cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(setupConf, $"""
            create_certs_tool = {SwtpmEnvironment.LocalCaPath}
            create_certs_tool_config = {localcaConf}
            create_certs_tool_options = {options}

            """, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(localcaConf, $"""
            statedir = {Directory}
            signingkey = {Path.Combine(Directory, "signkey.pem")}
            issuercert = {IssuerCertificatePath}
            certserial = {Path.Combine(Directory, "certserial")}

            """, cancellationToken).ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        await RunSetupAsync(StateTemplateDirectory, cancellationToken).ConfigureAwait(false);
        ManufactureTime = watch.Elapsed;
    }

    private async Task RunSetupAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var setupConf = Path.Combine(Directory, "swtpm_setup.conf");
        var (exit, output) = await ProcessRunner.RunAsync(
            SwtpmEnvironment.SwtpmSetupPath!,
            ["--tpm2", "--tpmstate", stateDirectory, "--create-ek-cert", "--config", setupConf, "--overwrite", "--pcr-banks", "sha1,sha256,sha384"],
            environment: null,
            TimeSpan.FromSeconds(60),
            cancellationToken).ConfigureAwait(false);
        if (exit != 0 || !File.Exists(RootCaCertificatePath))
        {
            throw new InvalidOperationException($"swtpm_setup failed with exit code {exit}:\n{output}");
        }
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a temp dir left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
