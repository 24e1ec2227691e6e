namespace Attest.Hooks.Tests.Stack;

/// <summary>One registrar and verifier for every test class that needs them (starting them costs seconds).</summary>
[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<AttestServices>
{
    public const string Name = "Attest services";
}
