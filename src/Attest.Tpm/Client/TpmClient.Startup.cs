using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>Start-up, shutdown, randomness and clock.</summary>
public sealed partial class TpmClient
{
    /// <summary>
    /// TPM2_Startup (Part 3 §9.3). With <paramref name="alreadyStartedIsOk"/>, TPM_RC_INITIALIZE
    /// (the platform firmware or swtpm's startup-clear flag already started it) counts as success.
    /// </summary>
    public async Task StartupAsync(TpmStartupType type = TpmStartupType.Clear, bool alreadyStartedIsOk = true, CancellationToken cancellationToken = default)
    {
        var parameters = new TpmWriter(2).WriteUInt16((ushort)type).ToArray();
        try
        {
            await ExecuteAsync(TpmCc.Startup, default, null, parameters, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (TpmResponseException ex) when (alreadyStartedIsOk && ex.Code.BaseCode == 0x100)
        {
            // TPM_RC_INITIALIZE: Startup after Startup.
        }
    }

    /// <summary>TPM2_Shutdown (Part 3 §9.4): prepares for power loss; STATE keeps sessions for a resume.</summary>
    public async Task ShutdownAsync(TpmStartupType type = TpmStartupType.Clear, CancellationToken cancellationToken = default)
    {
        var parameters = new TpmWriter(2).WriteUInt16((ushort)type).ToArray();
        await ExecuteAsync(TpmCc.Shutdown, default, null, parameters, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// TPM2_GetRandom (Part 3 §16.1), repeated until <paramref name="count"/> bytes arrived: a TPM
    /// returns at most its largest digest size per call.
    /// </summary>
    public async Task<byte[]> GetRandomAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var ask = (ushort)Math.Min(count - filled, 64);
            var parameters = new TpmWriter(2).WriteUInt16(ask).ToArray();
            var response = await ExecuteAsync(TpmCc.GetRandom, default, null, parameters, 0, cancellationToken).ConfigureAwait(false);
            var reader = new TpmReader(response.Parameters);
            var bytes = reader.ReadSized("TPM2_GetRandom randomBytes", ask);
            reader.ExpectEnd("TPM2_GetRandom response");
            if (bytes.IsEmpty)
            {
                throw new TpmFormatException("TPM2_GetRandom randomBytes", 0, "the TPM returned no bytes");
            }

            bytes.CopyTo(result.AsSpan(filled));
            filled += bytes.Length;
        }

        return result;
    }

    /// <summary>TPM2_ReadClock (Part 3 §29.1): time, clock, and the reset/restart counters a verifier tracks.</summary>
    public async Task<TpmTimeInfo> ReadClockAsync(CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(TpmCc.ReadClock, default, null, default, 0, cancellationToken).ConfigureAwait(false);
        var reader = new TpmReader(response.Parameters);
        var info = new TpmTimeInfo(
            Time: reader.ReadUInt64("TPMS_TIME_INFO.time"),
            Clock: reader.ReadUInt64("TPMS_CLOCK_INFO.clock"),
            ResetCount: reader.ReadUInt32("TPMS_CLOCK_INFO.resetCount"),
            RestartCount: reader.ReadUInt32("TPMS_CLOCK_INFO.restartCount"),
            Safe: reader.ReadUInt8("TPMS_CLOCK_INFO.safe") != 0);
        reader.ExpectEnd("TPM2_ReadClock response");
        return info;
    }
}

/// <summary>TPMS_TIME_INFO (Part 2 §10.11.6). resetCount advances on every TPM Reset (reboot).</summary>
public sealed record TpmTimeInfo(ulong Time, ulong Clock, uint ResetCount, uint RestartCount, bool Safe);
