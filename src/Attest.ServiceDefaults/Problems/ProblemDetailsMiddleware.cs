using System.Text.Json;
using Attest.Tpm.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Attest.ServiceDefaults.Problems;

/// <summary>
/// Turns every error into problem details with a stable code: bad input is a 4xx naming what was wrong, never a
/// 500 with a stack trace. Anything unexpected is logged and answered with a bare 500 <c>internal_error</c>.
/// </summary>
public sealed partial class ProblemDetailsMiddleware(RequestDelegate next, ILogger<ProblemDetailsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context).ConfigureAwait(false);
            if (!context.Response.HasStarted && context.Response.ContentLength is null && context.Response.StatusCode is 401 or 403 or 404 or 405 or 415)
            {
                var (code, detail) = context.Response.StatusCode switch
                {
                    401 => ("auth.unauthenticated", "this endpoint needs an API key (Authorization: Bearer <key>)"),
                    403 => ("auth.forbidden", "the API key's roles do not allow this"),
                    404 => ("request.not_found", "no such endpoint"),
                    405 => ("request.method_not_allowed", "method not allowed on this endpoint"),
                    _ => ("request.unsupported_media_type", "send application/json"),
                };
                await ProblemWriter.WriteAsync(context, context.Response.StatusCode, code, detail).ConfigureAwait(false);
            }
        }
        catch (ApiProblemException ex) when (!context.Response.HasStarted)
        {
            await ProblemWriter.WriteAsync(context, ex.Status, ex.Code, ex.Message, ex.Extensions).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var (status, code) = ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? (413, "request.too_large")
                : (400, ex.InnerException is JsonException ? "request.malformed_json" : "request.malformed");
            var detail = ex.InnerException is JsonException json ? $"the JSON body is malformed: {json.Message}" : ex.Message;
            await ProblemWriter.WriteAsync(context, status, code, detail).ConfigureAwait(false);
        }
        catch (TpmFormatException ex) when (!context.Response.HasStarted)
        {
            await ProblemWriter.WriteAsync(context, 400, "request.malformed_tpm_structure", ex.Message,
                new Dictionary<string, object?> { ["field"] = ex.Field, ["offset"] = ex.Offset }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, ex, context.Request.Method, context.Request.Path);
            await ProblemWriter.WriteAsync(context, 500, "internal_error", "an internal error occurred; it has been logged").ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
