using System.Text.Json;

namespace Attest.Hooks.Node;

/// <summary>
/// What the node keeps between steps (the AK's wrapped private blob and public area, and the enrollment), in
/// <c>--state-dir</c>. The private blob is wrapped by the TPM's SRK: useless anywhere but in this TPM.
/// </summary>
public sealed record NodeState(string NodeId, byte[] AkPublic, byte[] AkPrivate, string AkName, string? EnrollmentId, bool Activated)
{
    private const string FileName = "attest-hook.json";

    public static NodeState? Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<NodeState>(File.ReadAllText(path)) : null;
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, this);
        }

        File.Move(temp, path, overwrite: true);
    }
}
