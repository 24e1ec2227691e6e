using Attest.Tpm.Client;

namespace Attest.Tpm.Tests.Client;

public sealed class ResponseCodeTests
{
    [Theory]
    // Format 1 (Part 2 §6.6): error number in bits 0..5, P in bit 6, N in bits 8..11.
    [InlineData(0x18Bu, "TPM_RC_HANDLE", 0, 1, 0)]
    [InlineData(0x28Bu, "TPM_RC_HANDLE", 0, 2, 0)]
    [InlineData(0x1C4u, "TPM_RC_VALUE", 1, 0, 0)]
    [InlineData(0x2DFu, "TPM_RC_INTEGRITY", 2, 0, 0)]
    [InlineData(0x99Du, "TPM_RC_POLICY_FAIL", 0, 0, 1)]
    [InlineData(0xA9Du, "TPM_RC_POLICY_FAIL", 0, 0, 2)]
    [InlineData(0x98Eu, "TPM_RC_AUTH_FAIL", 0, 0, 1)]
    [InlineData(0x9A2u, "TPM_RC_BAD_AUTH", 0, 0, 1)]
    [InlineData(0x1D5u, "TPM_RC_SIZE", 1, 0, 0)]
    // Format 0.
    [InlineData(0x100u, "TPM_RC_INITIALIZE", 0, 0, 0)]
    [InlineData(0x101u, "TPM_RC_FAILURE", 0, 0, 0)]
    [InlineData(0x143u, "TPM_RC_COMMAND_CODE", 0, 0, 0)]
    [InlineData(0x14Cu, "TPM_RC_NV_DEFINED", 0, 0, 0)]
    public void Error_codes_decode_to_their_spec_name_and_position(uint value, string name, int parameter, int handle, int session)
    {
        var code = new TpmResponseCode(value);

        Assert.Equal(name, code.Name);
        Assert.Equal(parameter, code.Parameter);
        Assert.Equal(handle, code.Handle);
        Assert.Equal(session, code.Session);
        Assert.False(code.IsWarning);
        Assert.False(code.IsSuccess);
    }

    [Theory]
    [InlineData(0x921u, "TPM_RC_LOCKOUT", false)]
    [InlineData(0x922u, "TPM_RC_RETRY", true)]
    [InlineData(0x908u, "TPM_RC_YIELDED", true)]
    [InlineData(0x90Au, "TPM_RC_TESTING", true)]
    [InlineData(0x902u, "TPM_RC_OBJECT_MEMORY", false)]
    [InlineData(0x910u, "TPM_RC_REFERENCE_H0", false)]
    public void Warnings_are_recognised_and_only_transient_ones_are_retryable(uint value, string name, bool retryable)
    {
        var code = new TpmResponseCode(value);

        Assert.Equal(name, code.Name);
        Assert.True(code.IsWarning);
        Assert.Equal(retryable, code.IsRetryable);
    }

    [Fact]
    public void Describe_names_the_parameter_and_says_what_the_code_means()
    {
        var text = new TpmResponseCode(0x2DF).Describe();

        Assert.Equal("TPM_RC_INTEGRITY (0x2DF) in parameter 2: integrity check failed (e.g. a credential blob or private area not made for this key)", text);
    }

    [Fact]
    public void Exception_message_names_command_code_and_handle()
    {
        var ex = new TpmResponseException(TpmCc.NvReadPublic, new TpmResponseCode(0x18B));

        Assert.StartsWith("TPM2_NV_ReadPublic failed: TPM_RC_HANDLE (0x18B) on handle 1: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal("TPM_RC_HANDLE", ex.Name);
        Assert.Equal(0x08Bu, ex.Code.BaseCode);
    }

    [Theory]
    [InlineData(0x00000500u, "TPM vendor code 0x500")]
    [InlineData(0x0000001Eu, "TPM 1.2 code 0x01E")]
    [InlineData(0x000A000Au, "TSS layer 10 code 0x00A")]
    [InlineData(0x000001FFu, "TPM_RC 0x0BF")]
    public void Vendor_legacy_layered_and_unknown_codes_are_shown_as_numbers(uint value, string name)
    {
        Assert.Equal(name, new TpmResponseCode(value).Name);
    }
}
