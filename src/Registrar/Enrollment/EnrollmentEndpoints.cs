using Attest.Contracts.Registrar;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Attest.Registrar.Enrollment;

/// <summary>
/// Node-facing enrollment API. Nodes have no API key: they prove themselves with the TPM (EK certificate chain,
/// then ActivateCredential, which only the TPM holding the EK can perform).
/// </summary>
internal static class EnrollmentEndpoints
{
    public static void MapEnrollmentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/enrollments").WithTags("Enrollment").AllowAnonymous();

        group.MapPost("/", async Task<Created<EnrollmentChallenge>> (EnrollmentRequest request, EnrollmentService service, CancellationToken ct) =>
        {
            var challenge = await service.EnrollAsync(request, ct);
            return TypedResults.Created($"/v1/enrollments/{challenge.EnrollmentId}", challenge);
        })
        .WithSummary("Enroll a node's EK and AK; returns the MakeCredential challenge")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/{enrollmentId}/activation", async Task<Ok<ActivationResult>> (string enrollmentId, ActivationRequest request, EnrollmentService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ActivateAsync(enrollmentId, request, ct)))
        .WithSummary("Prove the TPM recovered the challenge secret; activates the AK")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }
}
