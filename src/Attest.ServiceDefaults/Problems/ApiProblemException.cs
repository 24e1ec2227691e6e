using Microsoft.AspNetCore.Http;

namespace Attest.ServiceDefaults.Problems;

/// <summary>
/// A request that cannot be served, with a stable <see cref="Code"/> (the same vocabulary as verification failures).
/// Thrown at the edge; rendered as RFC 9457 problem details by <see cref="ProblemDetailsMiddleware"/>.
/// </summary>
public sealed class ApiProblemException(int status, string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;

    public static ApiProblemException BadRequest(string code, string detail) => new(StatusCodes.Status400BadRequest, code, detail);

    public static ApiProblemException NotFound(string code, string detail) => new(StatusCodes.Status404NotFound, code, detail);

    public static ApiProblemException Conflict(string code, string detail) => new(StatusCodes.Status409Conflict, code, detail);

    public static ApiProblemException Unprocessable(string code, string detail) => new(StatusCodes.Status422UnprocessableEntity, code, detail);
}
