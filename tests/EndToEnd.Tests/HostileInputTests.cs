using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// Every byte from a node is hostile: malformed JSON, base64 garbage, oversized bodies and truncated TPM structures
/// at each endpoint get a 4xx problem with a stable code, and change no stored state.
/// </summary>
public sealed class HostileInputTests
{
    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
        return problem;
    }

    public static TheoryData<string, string, string> EnrollmentBodies => new()
    {
        { "{\"nodeId\": \"n1\", \"ekPublic\": ", "request.malformed_json", "truncated JSON" },
        { "{\"nodeId\": \"n1\", \"ekPublic\": \"!!!not base64!!!\", \"akPublic\": \"AAA=\"}", "request.malformed_json", "base64 garbage" },
        { "{\"nodeId\": \"n1\", \"ekPublic\": \"AAEAAQ==\", \"akPublic\": \"AAEAAQ==\"}", "request.malformed_tpm_structure", "truncated TPM2B_PUBLIC" },
        { "{\"nodeId\": \"../../etc\", \"ekPublic\": \"AAEAAQ==\", \"akPublic\": \"AAEAAQ==\"}", "request.node_id_invalid", "path in node id" },
        { "[1, 2, 3]", "request.malformed_json", "wrong JSON shape" },
    };

    [Theory]
    [MemberData(nameof(EnrollmentBodies))]
    public async Task Bad_enrollment_is_a_problem_and_enrolls_nothing(string body, string code, string what)
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, TpmCaFolder.Unrelated());

        var response = await stack.Registrar().PostAsync("v1/enrollments", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await ProblemAsync(response)).GetProperty("code").GetString());
        var nodes = await stack.Registrar(AttestStack.AuditorKey).GetFromJsonAsync<JsonElement[]>("v1/nodes");
        Assert.True(nodes!.Length == 0, $"{what} created a node");
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_before_reading()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, TpmCaFolder.Unrelated());
        var big = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        big.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var enrollment = await stack.Registrar().PostAsync("v1/enrollments", big);
        var session = await stack.Verifier().PostAsync("v1/nodes/n1/sessions", new ByteArrayContent(new byte[2 * 1024 * 1024]) { Headers = { ContentType = new("application/json") } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, enrollment.StatusCode);
        Assert.Equal("request.too_large", (await ProblemAsync(enrollment)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, session.StatusCode);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Malformed_evidence_is_a_problem_and_leaves_the_session_open(DatabaseProvider provider)
    {
        await using var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        await using var node = await SimulatedNode.StartAsync();
        await node.EnrollAsync(stack);
        var session = await SimulatedNode.OpenSessionAsync(stack, node.NodeId);
        var good = await node.QuoteAsync(session);
        var cases = new (string What, HttpContent Body, string Code)[]
        {
            ("truncated JSON", Json("{\"quote\": \"AAAA"), "request.malformed_json"),
            ("base64 garbage", Json("{\"quote\": \"%%%\", \"signature\": \"AAAA\", \"pcrs\": {}}"), "request.malformed_json"),
            ("truncated quote", JsonContent.Create(good with { Quote = good.Quote[..20] }), "request.malformed_tpm_structure"),
            ("truncated signature", JsonContent.Create(good with { Signature = good.Signature[..10] }), "request.malformed_tpm_structure"),
            ("truncated event log", JsonContent.Create(good with { EventLog = good.EventLog![..100] }), "request.malformed_tpm_structure"),
            ("PCR value of the wrong size", JsonContent.Create(good with { Pcrs = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["sha256"] = new Dictionary<string, string> { ["0"] = "abcd" } } }), "request.pcr_values_invalid"),
            ("unknown PCR bank", JsonContent.Create(good with { Pcrs = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["md5"] = new Dictionary<string, string>() } }), "request.pcr_values_invalid"),
            ("IMA log of garbage", JsonContent.Create(good with { ImaLog = Encoding.ASCII.GetBytes("10 zz ima-ng sha256:zz /x\n") }), "request.malformed_tpm_structure"),
        };

        foreach (var (what, body, code) in cases)
        {
            var response = await stack.Verifier().PostAsync($"v1/sessions/{session.SessionId}/evidence", body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
            Assert.True(code == (await ProblemAsync(response)).GetProperty("code").GetString(), what);
        }

        // Nothing was recorded and the session is still usable: the good evidence now passes the quote checks.
        var still = await stack.Verifier().GetFromJsonAsync<AttestationSession>($"v1/sessions/{session.SessionId}");
        Assert.Equal("open", still!.State);
        var verdict = await (await stack.Verifier().PostAsJsonAsync($"v1/sessions/{session.SessionId}/evidence", good)).Content.ReadFromJsonAsync<Verdict>();
        Assert.DoesNotContain(verdict!.Failures, f => f.Code.StartsWith("quote.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_session_and_unauthenticated_reads_are_problems()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, TpmCaFolder.Unrelated());

        var unknown = await stack.Verifier().PostAsync("v1/sessions/nope/evidence", Json("{\"quote\":\"AAAA\",\"signature\":\"AAAA\",\"pcrs\":{}}"));
        var anonymous = await stack.Verifier().GetAsync("v1/nodes/n1/attestations");
        var wrongKey = await stack.Verifier("not-a-key").GetAsync("v1/nodes/n1/attestations");
        var auditorWrites = await stack.Verifier(AttestStack.AuditorKey).PostAsJsonAsync("v1/nodes/n1/baselines", new ApproveBaselineRequest("x", "y"));

        Assert.Equal("session.not_found", (await ProblemAsync(unknown)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("auth.unauthenticated", (await ProblemAsync(anonymous)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, auditorWrites.StatusCode);
        Assert.Equal("auth.forbidden", (await ProblemAsync(auditorWrites)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Openapi_health_and_metrics_are_served()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, TpmCaFolder.Unrelated());

        var openapi = await stack.Verifier().GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var health = await stack.Registrar().GetFromJsonAsync<JsonElement>("healthz");
        var metrics = await stack.Verifier().GetStringAsync("metrics");

        Assert.True(openapi.GetProperty("paths").TryGetProperty("/v1/sessions/{sessionId}/evidence", out _));
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Contains("http_requests_received_total", metrics, StringComparison.Ordinal);
    }
}
