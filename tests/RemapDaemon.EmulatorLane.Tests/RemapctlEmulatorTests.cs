using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests;

/// <summary>remapctl against the emulator: status answers, dump shows windows, entries and one packet's bytes.</summary>
public sealed class RemapctlEmulatorTests
{
    private static ToolResult Remapctl(params string[] args) => ProgramRunner.Run(ProgramRunner.Remapctl, Lane.Timeout, args);

    [Fact]
    public void Status_shows_the_global_gauges_and_a_capture_with_its_counters()
    {
        using var lane = new Lane();

        ToolResult r = Remapctl("status", "--backend", "emulator");

        r.ExitCode.Should().Be(0, r.ToString());
        r.Stdout.Should().Contain("GLOBAL").And.Contain("CAPTURE").And.Contain("drops").And.Contain("invariant seen == captured + filtered + drops + in_flight: ok");
    }

    [Fact]
    public void Dump_of_a_synthetic_capture_shows_window_entries_and_the_bytes_of_the_chosen_packet()
    {
        using var lane = new Lane();

        ToolResult r = Remapctl("dump", "--backend", "emulator", "--source", "synthetic:count=100,min=60,max=200,lossless=1",
            "--packet", "3");

        r.ExitCode.Should().Be(0, r.ToString());
        // The default mode is adaptive: 60..200-byte packets are copied into the ring.
        r.Stdout.Should().Contain("seq 1").And.Contain("count ").And.Contain("RING");
        r.Stdout.Should().Contain("delivery  mode adaptive");
        r.Stdout.Should().Contain("packet 3 = window");
        // Packet 3: destination MAC 02:52:42:00:00:02, source MAC 02:00 then index 3 as big-endian u32.
        r.Stdout.Should().Contain("0000  02 52 42 00 00 02 02 00  00 00 00 03 08 00");
    }

    [Fact]
    public void Dump_as_json_lists_the_entries()
    {
        using var lane = new Lane();

        ToolResult r = Remapctl("dump", "--backend", "emulator", "--source", "synthetic:count=10,min=60,max=70,lossless=1", "--json");

        r.ExitCode.Should().Be(0, r.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        int entries = doc.RootElement.GetProperty("windows").EnumerateArray().Sum(w => w.GetProperty("entries").GetArrayLength());
        entries.Should().Be(10);
    }

    [Fact]
    public void Dump_with_info_pages_shows_windows_of_more_entries_than_one_info_page_holds()
    {
        using var lane = new Lane();

        ToolResult r = Remapctl("dump", "--backend", "emulator", "--source", "synthetic:count=1000,min=60,max=60,lossless=1",
            "--pages-per-window", "8", "--info-pages", "3", "--max-entries", "0", "--json");

        r.ExitCode.Should().Be(0, r.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        System.Text.Json.JsonElement layout = doc.RootElement.GetProperty("layout");
        layout.GetProperty("info_pages").GetInt32().Should().Be(3);
        layout.GetProperty("info_entries_max").GetInt32().Should().Be(254, "(3 * 4096 - 64) / 48");
        var windows = doc.RootElement.GetProperty("windows").EnumerateArray().ToList();
        windows.Sum(w => w.GetProperty("entries").GetArrayLength()).Should().Be(1000);
        windows.Max(w => w.GetProperty("count").GetInt32()).Should().Be(254, "60-byte packets fill the entries before 8 data pages");
        System.Text.Json.JsonElement first = windows[0].GetProperty("entries")[0];
        (first.GetProperty("page").GetInt32(), first.GetProperty("offset").GetInt32()).Should().Be((0, 0), "data page 0 follows the 3 info pages");
    }

    [Fact]
    public void Dump_by_default_sizes_the_info_pages_to_the_data_pages()
    {
        using var lane = new Lane();

        ToolResult r = Remapctl("dump", "--backend", "emulator", "--source", "synthetic:count=10,min=60,max=70,lossless=1",
            "--pages-per-window", "16", "--json");

        r.ExitCode.Should().Be(0, r.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        doc.RootElement.GetProperty("layout").GetProperty("info_pages").GetInt32().Should().Be(7, "512 entries for 16 data pages");
    }
}
