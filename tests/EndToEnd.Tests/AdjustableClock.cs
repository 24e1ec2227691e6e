namespace Attest.EndToEnd.Tests;

/// <summary>A clock tests can move forward (session and challenge expiry) without waiting.</summary>
public sealed class AdjustableClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
