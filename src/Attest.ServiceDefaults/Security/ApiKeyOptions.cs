namespace Attest.ServiceDefaults.Security;

/// <summary>Configuration section <c>Auth</c>: the API keys people and systems use, stored only as hashes.</summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Auth";

    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>
    /// When no key is configured, an admin key is generated into this file (mode 0600) on first start so that a
    /// fresh install is usable at once and never open. Relative paths are under the content root.
    /// </summary>
    public string BootstrapKeyFile { get; set; } = "data/admin.key";
}

public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key (shown in audit trails).</summary>
    public string Name { get; set; } = "";

    /// <summary><c>sha256:&lt;hex&gt;</c> of the key (<c>attestctl</c> or <c>sha256sum</c> computes it).</summary>
    public string Hash { get; set; } = "";

    public List<string> Roles { get; set; } = [];
}
