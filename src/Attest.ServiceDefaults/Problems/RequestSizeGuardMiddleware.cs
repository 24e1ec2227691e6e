using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Configuration;

namespace Attest.ServiceDefaults.Problems;

/// <summary>
/// Refuses a body whose declared length exceeds the endpoint's limit (its request-size metadata, else
/// <c>Limits:MaxRequestBodyBytes</c>) before anything reads it. Kestrel enforces the same limits on streamed bodies;
/// this makes the refusal a problem-details 413 on every server.
/// </summary>
public sealed class RequestSizeGuardMiddleware(RequestDelegate next, IConfiguration configuration)
{
    private readonly long _defaultLimit = configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? _defaultLimit;
        if (context.Request.ContentLength is long length && length > limit)
        {
            return ProblemWriter.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "request.too_large",
                $"the request body is {length} bytes; this endpoint accepts at most {limit}");
        }

        return next(context);
    }
}
