using System.Buffers.Binary;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Client;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Tests.Client;

public sealed class CommandFramingTests
{
    private static byte[] Response(ushort tag, uint code, ReadOnlySpan<byte> body = default)
    {
        var writer = new TpmWriter();
        writer.WriteUInt16(tag).WriteUInt32((uint)(10 + body.Length)).WriteUInt32(code).WriteBytes(body);
        return writer.ToArray();
    }

    [Fact]
    public async Task GetRandom_is_framed_as_the_spec_example()
    {
        var fake = new FakeTransport(_ => Response(0x8001, 0, new TpmWriter().WriteSized(new byte[16]).ToArray()));
        await using var tpm = new TpmClient(fake);

        var random = await tpm.GetRandomAsync(16);

        Assert.Equal(16, random.Length);
        Assert.Equal(Convert.FromHexString("80010000000C0000017B0010"), fake.Commands.Single());
    }

    [Fact]
    public async Task A_password_session_is_written_as_TPM_RS_PW_with_empty_nonce_and_the_password_as_hmac()
    {
        var fake = new FakeTransport(_ => Response(0x8002, 0, new TpmWriter().WriteUInt32(0).WriteSized([]).WriteUInt8(1).WriteSized([]).ToArray()));
        await using var tpm = new TpmClient(fake);

        await tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha1] = new byte[20] }, new PasswordSession("pw"u8));

        var expected = new TpmWriter()
            .WriteUInt16(0x8002).WriteUInt32(0).WriteUInt32(0x182)   // tag, size (patched below), TPM_CC_PCR_Extend
            .WriteUInt32(16)                                         // pcrHandle
            .WriteUInt32(4 + 2 + 1 + 2 + 2)                          // authorizationSize
            .WriteUInt32(0x40000009).WriteSized([]).WriteUInt8(1).WriteSized("pw"u8)
            .WriteUInt32(1).WriteUInt16(0x0004).WriteBytes(new byte[20])
            .ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(expected.AsSpan(2), (uint)expected.Length);
        Assert.Equal(expected, fake.Commands.Single());
    }

    [Fact]
    public async Task An_error_response_becomes_a_TpmResponseException_with_the_decoded_code()
    {
        var fake = new FakeTransport(_ => Response(0x8001, 0x18B));
        await using var tpm = new TpmClient(fake);

        var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.NvReadPublicAsync(0x01C00002));

        Assert.Equal(TpmCc.NvReadPublic, ex.Command);
        Assert.Equal("TPM_RC_HANDLE", ex.Name);
        Assert.Equal(1, ex.Code.Handle);
    }

    [Fact]
    public async Task TPM_RC_RETRY_is_retried_and_the_later_answer_used()
    {
        var calls = 0;
        var fake = new FakeTransport(_ => ++calls < 3 ? Response(0x8001, 0x922) : Response(0x8001, 0, new TpmWriter().WriteSized([1, 2, 3, 4]).ToArray()));
        await using var tpm = new TpmClient(fake);

        var random = await tpm.GetRandomAsync(4);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, random);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_response_whose_size_field_disagrees_with_its_length_is_malformed()
    {
        var bad = Response(0x8001, 0, new TpmWriter().WriteSized([1, 2]).ToArray());
        BinaryPrimitives.WriteUInt32BigEndian(bad.AsSpan(2), 100);
        await using var tpm = new TpmClient(new FakeTransport(_ => bad));

        var ex = await Assert.ThrowsAsync<TpmFormatException>(() => tpm.GetRandomAsync(2));
        Assert.Contains("responseSize", ex.Field, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00")]                 // truncated TPM2B size
    [InlineData("0010AABB")]           // TPM2B longer than the response
    [InlineData("0002AABBCC")]         // trailing byte
    public async Task Truncated_or_overlong_parameters_are_malformed_not_crashes(string body)
    {
        await using var tpm = new TpmClient(new FakeTransport(_ => Response(0x8001, 0, Convert.FromHexString(body))));

        await Assert.ThrowsAsync<TpmFormatException>(() => tpm.GetRandomAsync(2));
    }

    [Fact]
    public async Task A_sessions_response_with_a_parameter_size_beyond_the_response_is_malformed()
    {
        var body = new TpmWriter().WriteUInt32(1000).WriteBytes(new byte[8]).ToArray();
        await using var tpm = new TpmClient(new FakeTransport(_ => Response(0x8002, 0, body)));

        var ex = await Assert.ThrowsAsync<TpmFormatException>(() => tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha1] = new byte[20] }));
        Assert.Contains("parameterSize", ex.Field, StringComparison.Ordinal);
    }

    /// <summary>A TPM that answers PCR_Read with at most two PCRs per call, as real TPMs may.</summary>
    private static byte[] StingyPcrRead(byte[] command, ref uint counter)
    {
        var reader = new TpmReader(command.AsSpan(10));
        var asked = PcrSelection.Read(ref reader);
        var given = new List<PcrBankSelection>();
        var digests = new List<byte[]>();
        foreach (var bank in asked.Banks)
        {
            var take = bank.Indices.Take(2 - digests.Count).ToArray();
            if (take.Length == 0)
            {
                continue;
            }

            given.Add(new PcrBankSelection(bank.Hash, take));
            digests.AddRange(take.Select(i => Enumerable.Repeat((byte)i, TpmHash.DigestSize(bank.Hash)).ToArray()));
        }

        var writer = new TpmWriter();
        writer.WriteUInt32(counter);
        new PcrSelection(given).Write(writer);
        writer.WriteUInt32((uint)digests.Count);
        foreach (var digest in digests)
        {
            writer.WriteSized(digest);
        }

        return Response(0x8001, 0, writer.WrittenSpan);
    }

    [Fact]
    public async Task PCR_Read_keeps_asking_until_every_selected_PCR_is_read()
    {
        uint counter = 7;
        var fake = new FakeTransport(command => StingyPcrRead(command, ref counter));
        await using var tpm = new TpmClient(fake);
        var selection = new PcrSelection([new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 2, 7, 10]), new PcrBankSelection(TpmAlgId.Sha1, [3, 4])]);

        var result = await tpm.PcrReadAsync(selection);

        Assert.Equal(4, fake.Commands.Count);
        Assert.Equal(7u, result.UpdateCounter);
        foreach (var bank in selection.Banks)
        {
            Assert.Equal(bank.Indices, result.Values.Bank(bank.Hash).Keys);
            Assert.All(bank.Indices, i => Assert.All(result[bank.Hash, i], b => Assert.Equal((byte)i, b)));
        }
    }

    [Fact]
    public async Task PCR_Read_starts_over_when_the_update_counter_moves_between_calls()
    {
        uint counter = 1;
        var calls = 0;
        var fake = new FakeTransport(command =>
        {
            // The PCRs change once, after the first call.
            if (++calls == 2)
            {
                counter++;
            }

            return StingyPcrRead(command, ref counter);
        });
        await using var tpm = new TpmClient(fake);

        var result = await tpm.PcrReadAsync(new PcrSelection([new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 2, 3])]));

        Assert.Equal(2u, result.UpdateCounter);
        Assert.Equal(4, result.Values.Bank(TpmAlgId.Sha256).Count);
        Assert.Equal(4, fake.Commands.Count); // 2 wasted + 2 consistent
    }

    [Fact]
    public async Task PCR_Read_refuses_a_PCR_that_was_not_asked_for()
    {
        var body = new TpmWriter().WriteUInt32(1);
        PcrSelection.Of(TpmAlgId.Sha256, 5).Write(body);
        body.WriteUInt32(1).WriteSized(new byte[32]);
        await using var tpm = new TpmClient(new FakeTransport(_ => Response(0x8001, 0, body.WrittenSpan)));

        await Assert.ThrowsAsync<TpmFormatException>(() => tpm.PcrReadAsync(PcrSelection.Of(TpmAlgId.Sha256, 0)));
    }

    [Fact]
    public void DER_trailing_padding_from_NV_is_cut_off()
    {
        byte[] der = [0x30, 0x82, 0x00, 0x03, 1, 2, 3];
        byte[] padded = [.. der, 0xFF, 0xFF, 0x00];

        Assert.Equal(der, TpmClient.TrimDer(padded));
        Assert.Equal([1, 2, 3], TpmClient.TrimDer([1, 2, 3]));
    }
}
