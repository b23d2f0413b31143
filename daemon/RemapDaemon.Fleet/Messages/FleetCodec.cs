using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RemapDaemon.Fleet.Messages;

/// <summary>Bytes to and from the fleet's messages; a message that does not parse is a <see cref="FleetProtocolException"/>.</summary>
public static class FleetCodec
{
    public static byte[] Encode<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <exception cref="FleetProtocolException">Not JSON of that shape.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> bytes, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new FleetProtocolException($"{what}: empty message");
        }
        catch (JsonException e)
        {
            throw new FleetProtocolException($"{what}: not a valid message ({e.Message})", e);
        }
    }
}

/// <summary>A message that is not what the fleet's contract says (docs/fleet.md).</summary>
public sealed class FleetProtocolException : Exception
{
    public FleetProtocolException()
    {
    }

    public FleetProtocolException(string message)
        : base(message)
    {
    }

    public FleetProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
