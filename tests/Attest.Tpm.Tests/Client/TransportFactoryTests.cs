using Attest.Tpm.Client.Transport;

namespace Attest.Tpm.Tests.Client;

public sealed class TransportFactoryTests
{
    [Theory]
    [InlineData("swtpm:127.0.0.1:2341", "127.0.0.1", 2341)]
    [InlineData("swtpm:tpm.example:9000", "tpm.example", 9000)]
    [InlineData("swtpm:[::1]:2400", "::1", 2400)]
    [InlineData("swtpm:localhost", "localhost", 2321)]
    [InlineData("swtpm", "127.0.0.1", 2321)]
    [InlineData("swtpm:host=127.0.0.1,port=2500", "127.0.0.1", 2500)]
    [InlineData("mssim:port=2600", "127.0.0.1", 2600)]
    public void Swtpm_specs_parse_to_host_and_port(string spec, string host, int port)
    {
        var parsed = TpmTransportFactory.Parse(spec);

        Assert.Equal("swtpm", parsed.Kind);
        Assert.Equal(host, parsed.Host);
        Assert.Equal(port, parsed.Port);
    }

    [Theory]
    [InlineData("/dev/tpmrm0", "/dev/tpmrm0")]
    [InlineData("device:/dev/tpm0", "/dev/tpm0")]
    public void Device_paths_parse_to_a_device_transport(string spec, string path)
    {
        var parsed = TpmTransportFactory.Parse(spec);
        using var transport = TpmTransportFactory.Create(spec);

        Assert.Equal("device", parsed.Kind);
        Assert.Equal(path, parsed.Path);
        Assert.IsType<DeviceTransport>(transport);
    }

    [Theory]
    [InlineData("tcp:1.2.3.4:5")]
    [InlineData("swtpm:host:notaport")]
    [InlineData("swtpm:host:70000")]
    [InlineData("swtpm:[::1")]
    [InlineData("swtpm:colour=blue")]
    [InlineData("")]
    public void Malformed_specs_are_refused_with_a_format_error(string spec)
    {
        Assert.Throws<FormatException>(() => TpmTransportFactory.Parse(spec));
    }

    [Fact]
    public async Task A_missing_device_gives_a_transport_error_naming_the_path()
    {
        await using var transport = new DeviceTransport("/nonexistent/tpmrm0");

        var ex = await Assert.ThrowsAsync<TpmTransportException>(() => transport.ExecuteAsync(new byte[10]));
        Assert.Contains("/nonexistent/tpmrm0", ex.Message, StringComparison.Ordinal);
    }
}
