namespace Attest.Verifier.Policies;

/// <summary>Stable problem codes of the policy API.</summary>
internal static class PolicyErrors
{
    public const string Invalid = "policy.invalid";
    public const string NotFound = "policy.not_found";
    public const string RevisionNotFound = "policy.revision_not_found";
    public const string KindChanged = "policy.kind_changed";
    public const string NothingToRollBack = "policy.nothing_to_roll_back";
    public const string SelectorInvalid = "policy.selector_invalid";
    public const string BindingExists = "policy.binding_exists";
    public const string BindingNotFound = "policy.binding_not_found";
    public const string GroupInvalid = "policy.group_invalid";
    public const string NameInvalid = "policy.name_invalid";
    public const string DocumentRequired = "policy.document_required";
    public const string ConcurrentChange = "policy.concurrent_change";
}
