using System.Text.Json;
using RemapDaemon.Fleet.Messages;

namespace RemapDaemon.Fleet.Sensor;

/// <summary>
/// The desired configuration a host applied last (the text of both keys and their revisions),
/// kept beside its store (<c>.fleet-NAME.desired</c>, written to a temporary name and renamed),
/// so that a remapd restarted while the hub is out of reach starts with it instead of its
/// command line's, and does not apply the same revisions twice.
/// </summary>
public sealed record DesiredConfig
{
    public ulong AllRevision { get; init; }
    public ulong HostRevision { get; init; }
    public string? All { get; init; }
    public string? Host { get; init; }

    /// <summary>The file for a capture of <paramref name="captureName"/> in <paramref name="storeDirectory"/>.</summary>
    public static string PathFor(string storeDirectory, string captureName) => System.IO.Path.Combine(storeDirectory, $".fleet-{captureName}.desired");

    /// <summary>The saved configuration, or null when there is none or it does not parse (then the command line's stands).</summary>
    public static DesiredConfig? Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), DesiredConfigJson.Default.DesiredConfig);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <exception cref="IOException">It cannot be written.</exception>
    public void Save(string path)
    {
        string part = path + ".part";
        File.WriteAllBytes(part, JsonSerializer.SerializeToUtf8Bytes(this, DesiredConfigJson.Default.DesiredConfig));
        File.Move(part, path, overwrite: true);
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(DesiredConfig))]
internal sealed partial class DesiredConfigJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
