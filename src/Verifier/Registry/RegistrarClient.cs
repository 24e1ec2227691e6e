using System.Net;
using System.Net.Http.Json;
using Attest.Contracts.Registrar;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Registry;

/// <summary>
/// Reads nodes and their active AK from the registrar over its HTTP API (no shared tables), caching them briefly:
/// an AK changes only on re-enrollment, and every attestation needs it.
/// </summary>
public sealed class RegistrarClient(HttpClient http, IMemoryCache cache, IOptions<VerifierOptions> options)
{
    public const string HttpClientName = "registrar";

    /// <summary>The node, or null when the registrar does not know it. Throws <see cref="RegistrarUnavailableException"/> when unreachable.</summary>
    public async Task<NodeRecord?> GetNodeAsync(string nodeId, CancellationToken ct)
    {
        var key = "node:" + nodeId;
        if (cache.TryGetValue(key, out NodeRecord? cached))
        {
            return cached;
        }

        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri($"v1/nodes/{Uri.EscapeDataString(nodeId)}", UriKind.Relative), ct);
        }
        catch (HttpRequestException ex)
        {
            throw new RegistrarUnavailableException($"the registrar is unreachable: {ex.Message}", ex);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RegistrarUnavailableException($"the registrar answered {(int)response.StatusCode} for node '{nodeId}'");
            }

            var node = await response.Content.ReadFromJsonAsync<NodeRecord>(ct)
                ?? throw new RegistrarUnavailableException("the registrar returned an empty node record");
            // Only cache nodes with an active AK: a pending enrollment should be seen as soon as it activates.
            if (node.ActiveAttestationKey is not null && options.Value.Registrar.CacheDuration > TimeSpan.Zero)
            {
                cache.Set(key, node, options.Value.Registrar.CacheDuration);
            }

            return node;
        }
    }

    public void Forget(string nodeId) => cache.Remove("node:" + nodeId);
}

public sealed class RegistrarUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
