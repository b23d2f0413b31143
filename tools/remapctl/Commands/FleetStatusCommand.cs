using System.Globalization;
using System.Text.Json;
using RemapDaemon.Cli;
using RemapDaemon.Fleet.Hub;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Remapctl.Cli;

namespace RemapDaemon.Remapctl.Commands;

/// <summary>remapctl fleet status: the remapd-alive bucket as a table, or JSON.</summary>
internal static class FleetStatusCommand
{
    internal static int Run(FleetStatusOptions o, TextWriter stdout)
    {
        IReadOnlyList<HostStatus> hosts;
        FleetClient client = FleetCommand.Connect(o);
        using (Disposer.Of(client))
        {
            hosts = client.StatusAsync().GetAwaiter().GetResult();
        }

        if (o.Json)
        {
            Json(stdout, hosts);
            return (int)ExitCode.Ok;
        }

        if (hosts.Count == 0)
        {
            stdout.WriteLine("no hosts: the hub's remapd-alive bucket is empty or missing");
            return (int)ExitCode.Ok;
        }

        Table(stdout, hosts);
        return (int)ExitCode.Ok;
    }

    internal static void Table(TextWriter stdout, IReadOnlyList<HostStatus> hosts)
    {
        var rows = new List<string[]> { new[] { "HOST", "ALIVE", "AGE", "STATE", "PACKETS", "DROPS", "FILTER", "CONFIG" } };
        foreach (HostStatus h in hosts)
        {
            if (h.Stats is not HostStats s)
            {
                rows.Add([h.Host, "?", "-", "-", "-", "-", "-", h.Error ?? ""]);
                continue;
            }

            rows.Add([
                h.Host,
                h.Alive ? "yes" : "no",
                Age(h.Age),
                s.State,
                s.Packets.ToString(CultureInfo.InvariantCulture),
                s.Drops.Total.ToString(CultureInfo.InvariantCulture),
                s.Filter.Length == 0 ? "(all)" : s.Filter,
                Config(s.Config),
            ]);
        }

        TextTable.Write(stdout, rows);
    }

    /// <summary>"all r3, host r1, applied" / "... refused: why" / "... restart needed: keys".</summary>
    internal static string Config(ConfigState c)
    {
        string revisions = string.Create(CultureInfo.InvariantCulture, $"all r{c.AllRevision}, host r{c.HostRevision}");
        if (!c.Applied)
        {
            return $"{revisions}, refused: {c.Error}";
        }

        return c.RestartKeys.Count > 0 ? $"{revisions}, applied; restart needed: {string.Join(' ', c.RestartKeys)}" : $"{revisions}, applied";
    }

    internal static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{age.TotalSeconds:0.0}s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{age.TotalMinutes:0}m"),
        < 172800 => string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0}h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0}d"),
    };

    private static void Json(TextWriter stdout, IReadOnlyList<HostStatus> hosts)
    {
        using var buffer = new MemoryStream();
        using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartArray();
            foreach (HostStatus h in hosts)
            {
                j.WriteStartObject();
                j.WriteString("host", h.Host);
                j.WriteBoolean("alive", h.Alive);
                j.WriteNumber("age_s", Math.Round(h.Age.TotalSeconds, 3));
                if (h.Stats is HostStats s)
                {
                    j.WritePropertyName("status");
                    JsonSerializer.Serialize(j, s, FleetJson.Default.HostStats);
                }

                if (h.Error is string error)
                {
                    j.WriteString("error", error);
                }

                j.WriteEndObject();
            }

            j.WriteEndArray();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
