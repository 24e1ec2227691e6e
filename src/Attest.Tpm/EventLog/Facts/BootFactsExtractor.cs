using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog.Data;

namespace Attest.Tpm.EventLog.Facts;

/// <summary>
/// Builds <see cref="BootFacts"/> from events. Given a verification, only its proven events are read
/// ("only trust what replays"); without one, every event is read and the facts say so.
/// Event data is believed only where its digest covers it (<see cref="EventDataBinding"/>).
/// </summary>
public static class BootFactsExtractor
{
    // systemd's tag for the initrd it measured (src/boot/efi/measure.h: INITRD_EVENT_TAG_ID).
    private const uint LinuxInitrdTag = 0x8F3B22EC;

    public static BootFacts FromVerified(TcgEventLog log, EventLogVerification verification)
    {
        ArgumentNullException.ThrowIfNull(verification);
        return Extract(log, verification.VerifiedEvents, verified: true);
    }

    public static BootFacts FromUnverified(TcgEventLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Extract(log, log.Events, verified: false);
    }

    private static BootFacts Extract(TcgEventLog log, IReadOnlyList<TcgEvent> events, bool verified)
    {
        ArgumentNullException.ThrowIfNull(log);
        var b = new Builder(log, checkBindings: !verified);
        var separated = new bool[EventLogLimits.PcrCount];
        foreach (var e in events)
        {
            var afterSeparator = e.PcrIndex < EventLogLimits.PcrCount && separated[e.PcrIndex];
            if (e.Type == TcgEventType.Separator && e.PcrIndex < EventLogLimits.PcrCount)
            {
                separated[e.PcrIndex] = true;
            }

            b.Add(e, afterSeparator);
        }

        if (log.StartupLocality is not (0 or 3 or 4))
        {
            b.Unusual.Add(new UnusualEventFact(-1, 0, TcgEventType.NoAction.Name(), $"StartupLocality {log.StartupLocality} is not 0, 3 or 4"));
        }

        return b.Build(verified);
    }

    /// <param name="checkBindings">False when the verifier already dropped events whose data its digest does not cover.</param>
    private sealed class Builder(TcgEventLog log, bool checkBindings)
    {
        private readonly int _uintn = EventDataDecoder.UintnSize(log);
        private readonly List<string> _crtm = [];
        private readonly List<FirmwareBlobFact> _blobs = [];
        private readonly List<AuthorityFact> _authorities = [];
        private readonly List<BootEntryFact> _entries = [];
        private readonly List<ImageFact> _apps = [];
        private readonly List<ImageFact> _drivers = [];
        private readonly List<string> _cmdlines = [];
        private readonly List<InitrdFact> _initrds = [];
        private readonly List<SeparatorFact> _separators = [];
        private IReadOnlyList<ushort>? _bootOrder;
        private string? _sbatLevel;
        private bool? _secureBoot, _setupMode, _auditMode, _deployedMode;
        private SignatureDatabaseFacts? _pk, _kek, _db, _dbx;

        public List<UnusualEventFact> Unusual { get; } = [];

        public void Add(TcgEvent e, bool afterSeparator)
        {
            if (!e.Type.IsKnown())
            {
                Flag(e, "unknown event type; kept raw");
            }

            if (e.PcrIndex >= EventLogLimits.PcrCount)
            {
                Flag(e, $"PCR {e.PcrIndex} does not exist on a PC Client TPM; not replayed");
                return;
            }

            // Data whose digest is defined over it but does not cover it is not believed (tampering or a firmware bug).
            if (checkBindings && EventDataBinding.RequiresBinding(e) && StrongestBank(e) is { } bank && !EventDataBinding.IsBound(e, bank))
            {
                Flag(e, $"event data does not hash to its {bank.Name()} digest; data ignored");
                return;
            }

            switch (e.Type)
            {
                case TcgEventType.SCrtmVersion:
                    _crtm.Add(EventDataDecoder.Decode(e, _uintn) switch
                    {
                        TextEventData t => t.Text,
                        GuidEventData g => g.Guid.ToString(),
                        _ => Convert.ToHexStringLower(e.Data),
                    });
                    break;
                case TcgEventType.EfiPlatformFirmwareBlob or TcgEventType.EfiPlatformFirmwareBlob2 or TcgEventType.PostCode
                    or TcgEventType.PostCode2 or TcgEventType.SCrtmContents or TcgEventType.EfiSpdmFirmwareBlob:
                    var blob = EventDataDecoder.Decode(e, _uintn);
                    _blobs.Add(blob is FirmwareBlobEventData f
                        ? new FirmwareBlobFact(e.Index, e.PcrIndex, e.TypeName, f.BlobBase, f.BlobLength, f.Description, Digests(e))
                        : new FirmwareBlobFact(e.Index, e.PcrIndex, e.TypeName, null, null, (blob as TextEventData)?.Text, Digests(e)));
                    break;
                case TcgEventType.EfiVariableDriverConfig or TcgEventType.EfiVariableBoot or TcgEventType.EfiVariableBoot2 or TcgEventType.EfiVariableAuthority:
                    Variable(e, afterSeparator);
                    break;
                case TcgEventType.EfiBootServicesApplication:
                    _apps.Add(Image(e));
                    break;
                case TcgEventType.EfiBootServicesDriver or TcgEventType.EfiRuntimeServicesDriver:
                    _drivers.Add(Image(e));
                    break;
                case TcgEventType.Separator:
                    var value = e.Data.Length == 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(e.Data) : uint.MaxValue;
                    var fact = new SeparatorFact(e.Index, e.PcrIndex, Convert.ToHexStringLower(e.Data), value != 0);
                    _separators.Add(fact);
                    if (fact.IsError)
                    {
                        Flag(e, $"separator value {fact.Value} signals a firmware error");
                    }

                    break;
                case TcgEventType.Ipl:
                    Ipl(e);
                    break;
                case TcgEventType.EventTag:
                    if (EventDataDecoder.Decode(e, _uintn) is EventTagData { TaggedEventId: LinuxInitrdTag })
                    {
                        _initrds.Add(new InitrdFact(e.Index, "systemd-tag", null, Digests(e)));
                    }

                    break;
            }
        }

        private void Variable(TcgEvent e, bool afterSeparator)
        {
            if (EventDataDecoder.Decode(e, _uintn) is not UefiVariableEventData v)
            {
                Flag(e, "UEFI_VARIABLE_DATA does not decode; kept raw");
                return;
            }

            if (v.ContentError is not null)
            {
                Flag(e, $"variable {v.UnicodeName}: {v.ContentError}");
            }

            if (v.Content is TextVariableContent { } sbat && v.UnicodeName == "SbatLevel")
            {
                _sbatLevel = sbat.Text.TrimEnd('\n');
                return;
            }

            if (e.Type == TcgEventType.EfiVariableAuthority && v.Content is ByteVariableContent switchValue)
            {
                _authorities.Add(new AuthorityFact(e.Index, v.UnicodeName, null, null, null, afterSeparator, true) { Value = switchValue.Value });
                return;
            }

            if (e.Type == TcgEventType.EfiVariableAuthority)
            {
                var s = (v.Content as SignatureDataContent)?.Signature;
                var bound = StrongestBank(e) is { } b && EventDataBinding.IsBound(e, b);
                if (!bound)
                {
                    Flag(e, $"authority {v.UnicodeName}: data does not hash to its digest (a known shim quirk); subject not verified");
                }

                _authorities.Add(new AuthorityFact(e.Index, v.UnicodeName, s?.Subject, s?.Sha256Thumbprint, s?.Hash, afterSeparator, bound));
                return;
            }

            if (e.Type == TcgEventType.EfiVariableDriverConfig && e.PcrIndex == 7)
            {
                var flag = v.VariableData.Length == 0 ? false : v.Content is ByteVariableContent b ? b.Value == 1 : (bool?)null;
                switch (v.UnicodeName)
                {
                    case "SecureBoot": _secureBoot = flag; break;
                    case "SetupMode": _setupMode = flag; break;
                    case "AuditMode": _auditMode = flag; break;
                    case "DeployedMode": _deployedMode = flag; break;
                    case "PK": _pk = Database(v); break;
                    case "KEK": _kek = Database(v); break;
                    case "db": _db = Database(v); break;
                    case "dbx": _dbx = Database(v); break;
                }

                return;
            }

            if (v.UnicodeName == "BootOrder" && v.Content is BootOrderContent order)
            {
                _bootOrder = order.Order;
            }
            else if (UefiVariableDecoder.IsBootOption(v.UnicodeName))
            {
                var option = (v.Content as LoadOptionContent)?.Option;
                _entries.Add(new BootEntryFact(e.Index, v.UnicodeName, option?.Description, option?.DevicePath, option?.Active, v.ContentError));
            }
        }

        private static SignatureDatabaseFacts Database(UefiVariableEventData v)
        {
            if (v.Content is not SignatureDatabaseContent db)
            {
                return new SignatureDatabaseFacts([], 0, [], v.ContentError);
            }

            var certs = new List<CertificateFact>();
            var hashes = new List<string>();
            foreach (var signature in db.Lists.SelectMany(l => l.Signatures))
            {
                if (signature.Hash is { } hash)
                {
                    hashes.Add(hash);
                }
                else
                {
                    certs.Add(new CertificateFact(signature.Subject, signature.Issuer, signature.Sha256Thumbprint ?? "", signature.Owner, signature.Error));
                }
            }

            return new SignatureDatabaseFacts(certs, hashes.Count, hashes, null);
        }

        private ImageFact Image(TcgEvent e)
        {
            var data = EventDataDecoder.Decode(e, _uintn);
            if (data is RawEventData raw)
            {
                Flag(e, $"image load event does not decode: {raw.DecodeError}");
            }

            var image = data as ImageLoadEventData;
            return new ImageFact(e.Index, e.PcrIndex, e.TypeName, image?.DevicePath, image?.ImageLengthInMemory, Role(image?.DevicePath), Digests(e));
        }

        private static string Role(string? devicePath)
        {
            if (devicePath is null)
            {
                return "other";
            }

            var file = devicePath[(devicePath.LastIndexOfAny(['\\', '/']) + 1)..].ToUpperInvariant();
            return file switch
            {
                _ when file.StartsWith("SHIM", StringComparison.Ordinal) => "shim",
                _ when file.StartsWith("GRUB", StringComparison.Ordinal) => "grub",
                _ when file.StartsWith("SYSTEMD-BOOT", StringComparison.Ordinal) => "systemd-boot",
                _ when file.StartsWith("VMLINUZ", StringComparison.Ordinal) || file.StartsWith("LINUX", StringComparison.Ordinal) || file.StartsWith("BZIMAGE", StringComparison.Ordinal) => "kernel",
                _ when file.StartsWith("BOOTX64", StringComparison.Ordinal) || file.StartsWith("BOOTAA64", StringComparison.Ordinal) => "bootloader",
                _ => "other",
            };
        }

        private void Ipl(TcgEvent e)
        {
            if (EventDataDecoder.Decode(e, _uintn) is not IplEventData ipl)
            {
                return;
            }

            // Binding costs a hash or two per event: only checked for the events whose text becomes a fact.
            bool Bound() => StrongestBank(e) is { } b && EventDataBinding.IsBound(e, b);
            switch (ipl.Kind)
            {
                case "kernel_cmdline":
                    AddCommandLine(e, ipl.Text, Bound());
                    break;
                case "grub_cmd" when (ipl.Text.StartsWith("initrd ", StringComparison.Ordinal) || ipl.Text.StartsWith("initrdefi ", StringComparison.Ordinal)) && Bound():
                    _initrds.Add(new InitrdFact(e.Index, "grub_cmd", ipl.Text[(ipl.Text.IndexOf(' ', StringComparison.Ordinal) + 1)..], null));
                    break;
                case "file" when e.PcrIndex == 9 && ipl.Text.Contains("initrd", StringComparison.OrdinalIgnoreCase):
                    // GRUB measures the file's content into PCR 9 and logs its path: the digest is the initrd's.
                    _initrds.Add(new InitrdFact(e.Index, "grub_file", ipl.Text, Digests(e)));
                    break;
                case "text" when ipl.Encoding == "utf-16le" && e.PcrIndex is 8 or 12:
                    // systemd-boot (PCR 8, older) and sd-stub/UKI (PCR 12) measure the kernel command line as UTF-16.
                    var bound = Bound();
                    AddCommandLine(e, ipl.Text.Trim(), bound);
                    foreach (var arg in ipl.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (bound && arg.StartsWith("initrd=", StringComparison.Ordinal))
                        {
                            _initrds.Add(new InitrdFact(e.Index, "cmdline", arg["initrd=".Length..], null));
                        }
                    }

                    break;
            }
        }

        private void AddCommandLine(TcgEvent e, string text, bool bound)
        {
            if (bound)
            {
                _cmdlines.Add(text);
            }
            else
            {
                Flag(e, $"kernel command line does not hash to its digest, so it is not used: \"{text}\"");
            }
        }

        private void Flag(TcgEvent e, string reason) => Unusual.Add(new UnusualEventFact(e.Index, e.PcrIndex, e.TypeName, reason));

        private static TpmAlgId? StrongestBank(TcgEvent e)
        {
            TpmAlgId? best = null;
            foreach (var d in e.Digests)
            {
                if (TpmHash.CanCompute(d.Algorithm) && (best is null || Strength(d.Algorithm) > Strength(best.Value)))
                {
                    best = d.Algorithm;
                }
            }

            return best;
        }

        private static int Strength(TpmAlgId alg) => alg == TpmAlgId.Sha1 ? 0 : TpmHash.DigestSize(alg);

        private static Dictionary<string, string> Digests(TcgEvent e)
        {
            var digests = new Dictionary<string, string>(e.Digests.Count);
            foreach (var d in e.Digests)
            {
                digests[d.Algorithm.Name()] = d.Hex;
            }

            return digests;
        }

        public BootFacts Build(bool verified) => new(
            verified,
            log.StartupLocality,
            _crtm,
            _blobs,
            new SecureBootFacts(_secureBoot, _setupMode, _auditMode, _deployedMode, _pk, _kek, _db, _dbx),
            _authorities,
            _sbatLevel,
            _bootOrder,
            _entries,
            _apps,
            _drivers,
            _cmdlines.Count > 0 ? _cmdlines[^1] : null,
            _cmdlines,
            _initrds,
            _separators,
            Unusual);
    }
}
