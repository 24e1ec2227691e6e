using System.Security.Cryptography;

namespace Attest.Verifier.Credentials;

/// <summary>The CA's secret files: created owner-only, and refused when anyone else can read them.</summary>
internal static class CaKeyFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>A key readable by group or others may already be copied: refuse to start rather than sign with it.</summary>
    public static void CheckPermissions(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new InvalidOperationException(
                $"{path} is accessible to group or others (mode {Convert.ToString((int)mode, 8)}): make it owner-only (chmod 600) and consider the key exposed");
        }
    }

    public static void WriteSecret(string path, string contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }

    /// <summary>The at-rest secret: configured, else from its file, else a new 256-bit one written owner-only.</summary>
    public static string Password(CaOptions options, string contentRoot, out bool generated)
    {
        generated = false;
        if (!string.IsNullOrEmpty(options.KeyPassword))
        {
            return options.KeyPassword;
        }

        var path = Path.Combine(contentRoot, options.KeyPasswordFile);
        if (!File.Exists(path))
        {
            WriteSecret(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            generated = true;
        }

        CheckPermissions(path);
        return File.ReadAllText(path).Trim();
    }
}
