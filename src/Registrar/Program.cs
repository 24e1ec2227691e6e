using Attest.Registrar;
using Attest.Registrar.EkCertificates;
using Attest.Registrar.Enrollment;
using Attest.Registrar.Nodes;
using Attest.Registrar.Storage;
using Attest.ServiceDefaults.Hosting;
using Attest.Tpm.Crypto;

var builder = WebApplication.CreateBuilder(args);
builder.AddAttestServiceDefaults("registrar");
builder.Services.AddOptions<RegistrarOptions>().Bind(builder.Configuration.GetSection(RegistrarOptions.SectionName))
    .ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<RegistrarStore>();
builder.Services.AddSingleton<EnrollmentService>();
builder.Services.AddEkCertificateValidation(builder.Configuration);

var app = builder.Build();
app.UseAttestServiceDefaults(typeof(Program).Assembly);
app.MapEnrollmentEndpoints();
app.MapNodeEndpoints();
app.Run();

/// <summary>Entry point, also the marker type for WebApplicationFactory.</summary>
public partial class Program;
