namespace Attest.ServiceDefaults.Security;

/// <summary>
/// People and systems that call the APIs, by what they may do. Nodes have no role: they prove themselves with their
/// TPM (EK certificate, activated AK, quotes over fresh nonces).
/// </summary>
public static class Roles
{
    /// <summary>Opens sessions, reads verdicts, approves baselines, opens change windows (conductors, operators).</summary>
    public const string Operator = "operator";

    /// <summary>Uploads, activates and rolls back policies and firmware catalogs.</summary>
    public const string PolicyAuthor = "policy-author";

    /// <summary>Reads everything, changes nothing (also what the verifier uses to read the registrar).</summary>
    public const string Auditor = "auditor";

    /// <summary>Everything, including EK replacement and revocation.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Operator, PolicyAuthor, Auditor, Admin];
}

/// <summary>Authorization policy names: each lists the roles that satisfy it (admin satisfies all).</summary>
public static class AccessPolicies
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string AuthorPolicy = "author-policy";
    public const string Administer = "administer";

    internal static readonly IReadOnlyDictionary<string, string[]> RolesByPolicy = new Dictionary<string, string[]>
    {
        [Read] = [Roles.Auditor, Roles.Operator, Roles.PolicyAuthor, Roles.Admin],
        [Operate] = [Roles.Operator, Roles.Admin],
        [AuthorPolicy] = [Roles.PolicyAuthor, Roles.Admin],
        [Administer] = [Roles.Admin],
    };
}
