using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Attest.ServiceDefaults.Problems;

/// <summary>Builds RFC 9457 problem details with the stable <c>code</c> extension member.</summary>
public static class ProblemWriter
{
    public static ProblemDetails Create(HttpContext context, int status, string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = new ProblemDetails
        {
            Status = status,
            Title = TitleFor(status),
            Detail = detail,
            Type = $"https://attest.dev/problems/{code}",
            Instance = context.Request.Path,
        };
        problem.Extensions["code"] = code;
        problem.Extensions["traceId"] = context.TraceIdentifier;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    public static async Task WriteAsync(HttpContext context, int status, string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(Create(context, status, code, detail, extensions), options: null, contentType: "application/problem+json").ConfigureAwait(false);
    }

    private static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Authentication required",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Request too large",
        415 => "Unsupported media type",
        422 => "Unprocessable request",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "Error",
    };
}
