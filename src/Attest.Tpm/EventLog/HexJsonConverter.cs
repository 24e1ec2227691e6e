using System.Text.Json;
using System.Text.Json.Serialization;

namespace Attest.Tpm.EventLog;

/// <summary>Writes byte arrays as lowercase hex (how digests are compared by people and policies), not base64.</summary>
public sealed class HexJsonConverter : JsonConverter<byte[]>
{
    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is null ? null : Convert.FromHexString(text);
    }

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(Convert.ToHexStringLower(value));
    }
}
