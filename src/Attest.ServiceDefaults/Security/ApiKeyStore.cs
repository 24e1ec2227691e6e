using System.Security.Cryptography;
using System.Text;

namespace Attest.ServiceDefaults.Security;

/// <summary>Looks up callers by the SHA-256 of their key; compares in constant time.</summary>
public sealed class ApiKeyStore
{
    private readonly List<(byte[] Hash, string Name, string[] Roles)> _keys = [];

    public ApiKeyStore(ApiKeyOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var entry in options.ApiKeys)
        {
            var hash = ParseHash(entry.Hash)
                ?? throw new InvalidOperationException($"Auth:ApiKeys '{entry.Name}': Hash must be sha256:<64 hex digits>");
            var unknown = entry.Roles.Where(r => !Security.Roles.All.Contains(r)).ToArray();
            if (unknown.Length > 0)
            {
                throw new InvalidOperationException($"Auth:ApiKeys '{entry.Name}': unknown role(s) {string.Join(", ", unknown)}");
            }

            _keys.Add((hash, entry.Name, [.. entry.Roles]));
        }

        if (_keys.Count == 0)
        {
            BootstrapKeyPath = Path.GetFullPath(Path.Combine(contentRoot, options.BootstrapKeyFile));
            _keys.Add((HashKey(EnsureBootstrapKey(BootstrapKeyPath)), "bootstrap-admin", [Security.Roles.Admin]));
        }
    }

    /// <summary>Set when the service runs on a generated bootstrap key (no keys configured).</summary>
    public string? BootstrapKeyPath { get; }

    public (string Name, string[] Roles)? Find(string presentedKey)
    {
        var hash = HashKey(presentedKey);
        (string, string[])? found = null;
        foreach (var key in _keys)
        {
            // Check every entry so timing does not reveal which one matched.
            if (CryptographicOperations.FixedTimeEquals(key.Hash, hash))
            {
                found = (key.Name, key.Roles);
            }
        }

        return found;
    }

    public static byte[] HashKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string FormatHash(string key) => "sha256:" + Convert.ToHexStringLower(HashKey(key));

    /// <summary>A new random key: 256 bits, URL-safe.</summary>
    public static string NewKey() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Reads the bootstrap key, creating it (0600) when absent.</summary>
    public static string EnsureBootstrapKey(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = NewKey();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.UTF8.GetBytes(key + "\n"));
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllText(path).Trim(); // Another service created it first.
        }
    }

    private static byte[]? ParseHash(string text)
    {
        if (!text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) || text.Length != 7 + 64)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(text.AsSpan(7));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
