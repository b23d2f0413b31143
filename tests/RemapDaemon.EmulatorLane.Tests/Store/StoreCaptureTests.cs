using System.Globalization;
using System.Text.RegularExpressions;
using RemapDaemon.Output.Pcap;
using RemapDaemon.Protocol;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Store;
using RemapDaemon.Store.Index;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Store;

/// <summary>remapd capture --store with the synthetic source: complete files only, limits held, restarts, crashes, shared stores, full disks.</summary>
public sealed partial class StoreCaptureTests
{
    [Fact]
    public void Readers_polling_the_store_during_a_capture_only_ever_see_whole_files_and_the_store_stays_within_retain_bytes()
    {
        using var lane = new Lane();
        string store = lane.PathOf("store");
        const long Limit = 600_000;
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("--source", "synthetic:count=60000,min=60,max=1000,rate=15000",
            "--store", store, "--rotate-size", "64k", "--retain-bytes", Limit.ToString(CultureInfo.InvariantCulture), "-q");
        int polls = 0;
        long maxUsage = 0;
        var seen = new HashSet<string>();
        while (!remapd.HasExited)
        {
            if (Directory.Exists(store))
            {
                maxUsage = Math.Max(maxUsage, StoreBytes(store));
                foreach (string f in StoreTraffic.DataFiles(store))
                {
                    try
                    {
                        List<PcapRecord> records = PcapReader.ReadFile(f); // strict: a cut record throws
                        records.Should().NotBeEmpty();
                        seen.Add(f);
                    }
                    catch (FileNotFoundException)
                    {
                        // Deleted by retention between the listing and the open: never seen half.
                    }
                }

                polls++;
            }

            Thread.Sleep(5);
        }

        ToolResult r = remapd.WaitForExit(Lane.Timeout);
        r.ExitCode.Should().Be(0, r.ToString());
        polls.Should().BeGreaterThan(20);
        seen.Count.Should().BeGreaterThan(20, "the capture rotated many times while it was watched");
        maxUsage.Should().BeLessThanOrEqualTo(Limit, "the store (files, indexes and the file being written) never exceeded --retain-bytes");
        StoreBytes(store).Should().BeLessThanOrEqualTo(Limit);
        StoreSummary s = Summary(r.Stderr);
        s.DeletedForBytes.Should().BeGreaterThan(0);

        // Every packet written is in the store or was counted as deleted with its file.
        long inStore = StoreTraffic.DataFiles(store).Sum(f => (long)PcapReader.ReadFile(f).Count);
        (inStore + s.PacketsDeleted).Should().Be(Lane.SummaryPackets(r.Stderr));
    }

    [Fact]
    public void A_restart_counts_what_the_store_already_holds_and_a_smaller_limit_is_applied_before_the_first_packet()
    {
        using var lane = new Lane();
        string store = lane.PathOf("store");
        ToolResult first = Lane.Remapd("--source", "synthetic:count=20000,min=60,max=600,lossless=1", "--store", store, "--rotate-size", "64k", "-q");
        first.ExitCode.Should().Be(0, first.ToString());
        long before = StoreBytes(store);
        before.Should().BeGreaterThan(1_000_000);
        File.WriteAllText(Path.Combine(store, "notes.txt"), "a foreign file: never counted, never deleted");

        ToolResult second = Lane.Remapd("--source", "synthetic:count=1,lossless=1", "--store", store, "--rotate-size", "64k", "--retain-bytes", "300k", "-q");
        second.ExitCode.Should().Be(0, second.ToString());
        StoreSummary s = Summary(second.Stderr);
        s.DeletedForBytes.Should().BeGreaterThan(10, "the files of the first run count against the limit of the second");
        StoreBytes(store).Should().BeLessThanOrEqualTo(300_000);
        File.Exists(Path.Combine(store, "notes.txt")).Should().BeTrue("foreign files are left alone");
    }

    [Fact]
    public void Files_older_than_retain_age_are_deleted_at_rotation()
    {
        using var lane = new Lane();
        string store = lane.PathOf("store");
        ToolResult r = Lane.Remapd("--source", "synthetic:count=24000,min=60,max=200,rate=4000", "--store", store, "--rotate-seconds", "1", "--retain-age", "2s", "-q");
        r.ExitCode.Should().Be(0, r.ToString());
        Summary(r.Stderr).DeletedForAge.Should().BeGreaterThan(0, "a 6 s capture at a file per second keeps about 2 s of them");
        foreach (string f in StoreTraffic.DataFiles(store))
        {
            (DateTime.UtcNow - File.GetLastWriteTimeUtc(f)).Should().BeLessThan(TimeSpan.FromSeconds(5), $"{f} is younger than --retain-age (plus the last interval)");
        }
    }

    [Fact]
    public void After_kill_9_the_next_start_keeps_the_cut_files_whole_packets_and_indexes_them()
    {
        using var lane = new Lane();
        string store = lane.PathOf("store");
        using (ProgramRunner.RunningProgram remapd = Lane.StartRemapd("--source", "synthetic:rate=20000,min=60,max=1500", "--store", store, "--rotate-size", "64M", "-q"))
        {
            Lane.WaitFor(() => Directory.Exists(store) && Directory.GetFiles(store, ".*.pcap.part").Any(p => new FileInfo(p).Length > 300_000), "a part file of 300 kB", remapd);
            ProgramRunner.Kill(remapd.Pid, 9);
            remapd.WaitForExit(Lane.Timeout);
        }

        string part = Directory.GetFiles(store, ".*.pcap.part").Should().ContainSingle().Subject;
        // A crash mid-record: cut the file inside its last record, as a power loss can.
        using (var f = new FileStream(part, FileMode.Open))
        {
            f.SetLength(f.Length - 7);
        }

        long partLength = new FileInfo(part).Length;
        string complete = Path.Combine(store, Path.GetFileName(part)[1..^".part".Length]);
        ToolResult r = Lane.Remapd("--source", "synthetic:count=1,lossless=1", "--store", store, "--rotate-size", "64M");
        r.ExitCode.Should().Be(0, r.ToString());
        r.Stderr.Should().MatchRegex($@"recovered {Regex.Escape(Path.GetFileName(complete))} from a capture that did not finish it: kept \d+ packets \(\d+ bytes\), cut [1-9]\d* bytes of an incomplete record");
        File.Exists(part).Should().BeFalse();
        List<PcapRecord> kept = PcapReader.ReadFile(complete);
        kept.Should().NotBeEmpty();
        new FileInfo(complete).Length.Should().BeLessThan(partLength).And.Be(24 + kept.Sum(p => 16L + p.CapturedLength));
        IndexFile index = IndexFile.TryRead(complete + ".idx", new FileInfo(complete).Length)!;
        index.Should().NotBeNull("the recovered file is indexed");
        index.Packets.Should().Be((ulong)kept.Count);
        Lane.CapinfosCount(complete).Should().Be(kept.Count);
    }

    [Fact]
    public void Two_captures_share_one_store_under_their_names_and_a_second_capture_of_the_same_name_is_refused()
    {
        using var lane = new Lane();
        string store = lane.PathOf("store");
        using ProgramRunner.RunningProgram a = Lane.StartRemapd("--source", "synthetic:count=30000,min=60,max=800,rate=6000", "--store", store, "--store-name", "member-a", "--rotate-size", "64k", "--retain-bytes", "800k", "-q");
        using ProgramRunner.RunningProgram b = Lane.StartRemapd("--source", "synthetic:count=30000,min=60,max=800,rate=6000", "--store", store, "--store-name", "member-b", "--rotate-size", "64k", "--retain-bytes", "800k", "-q");
        Lane.WaitFor(() => Directory.Exists(store) && File.Exists(Path.Combine(store, ".member-a.writer.lock")), "the first capture's lock", a);
        Thread.Sleep(500);
        ToolResult same = Lane.Remapd("--source", "synthetic:count=10", "--store", store, "--store-name", "member-a", "-q");
        same.ExitCode.Should().Be(1, same.ToString());
        same.Stderr.Should().Contain("another capture named 'member-a' is writing to");

        long maxUsage = 0;
        bool both = false;
        while (!a.HasExited || !b.HasExited)
        {
            maxUsage = Math.Max(maxUsage, StoreBytes(store));
            string[] files = StoreTraffic.DataFiles(store);
            both |= files.Any(f => f.EndsWith("-member-a.pcap", StringComparison.Ordinal)) && files.Any(f => f.EndsWith("-member-b.pcap", StringComparison.Ordinal));
            Thread.Sleep(10);
        }

        a.WaitForExit(Lane.Timeout).ExitCode.Should().Be(0);
        b.WaitForExit(Lane.Timeout).ExitCode.Should().Be(0);
        both.Should().BeTrue("both captures' files were in the store together, each under its name");
        // Each pass keeps room for its own next file; the other capture's file being written is counted as it stands.
        maxUsage.Should().BeLessThanOrEqualTo(800_000 + 64_000);
    }

    [Fact]
    public void A_file_a_query_is_reading_is_passed_over_and_the_next_oldest_deleted_instead()
    {
        using var lane = new Lane();
        string store = lane.PathOf("store");
        ToolResult first = Lane.Remapd("--source", "synthetic:count=4000,min=60,max=600,lossless=1", "--store", store, "--rotate-size", "64k", "-q");
        first.ExitCode.Should().Be(0, first.ToString());
        string oldest = StoreTraffic.DataFiles(store)[0];

        // What remapd query does with each file it reads: a shared flock, held while it reads.
        using ProgramRunner.RunningProgram reader = ProgramRunner.Start("flock", "-s", oldest, "sleep", "30");
        Thread.Sleep(300);
        ToolResult second = Lane.Remapd("--source", "synthetic:count=1,lossless=1", "--store", store, "--rotate-size", "64k", "--retain-bytes", "200k", "-q");
        ProgramRunner.Kill(reader.Pid, 15);
        second.ExitCode.Should().Be(0, second.ToString());
        File.Exists(oldest).Should().BeTrue("the file being read was not deleted from under its reader");
        Summary(second.Stderr).BusySkipped.Should().BeGreaterThan(0);
        Summary(second.Stderr).DeletedForBytes.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_at_start_with_the_option_named()
    {
        using var lane = new Lane();
        ToolResult small = Lane.Remapd("--source", "synthetic:count=1", "--store", lane.PathOf("s"), "--rotate-size", "1M", "--retain-bytes", "500k");
        small.ExitCode.Should().Be(2, small.ToString());
        small.Stderr.Should().Contain("--retain-bytes 500000 cannot hold one file of --rotate-size 1000000");
        ToolResult both = Lane.Remapd("--source", "synthetic:count=1", "--store", lane.PathOf("s"), "-w", lane.PathOf("x.pcap"));
        both.ExitCode.Should().Be(2, both.ToString());
        ToolResult stray = Lane.Remapd("--source", "synthetic:count=1", "-w", lane.PathOf("x.pcap"), "--retain-age", "1h");
        stray.ExitCode.Should().Be(2, stray.ToString());
        stray.Stderr.Should().Contain("--retain-age is an option of a capture into a store");
        ToolResult unwritable = Lane.Remapd("--source", "synthetic:count=1", "--store", "/proc/remapd-store");
        unwritable.ExitCode.Should().Be(1, unwritable.ToString());
        unwritable.Stderr.Should().Contain("cannot capture into the store /proc/remapd-store");
    }

    [RootFact]
    public void Retain_free_deletes_the_oldest_files_to_keep_free_space_and_leaves_foreign_files_alone()
    {
        using var lane = new Lane();
        using var fs = new SmallFileSystem(lane.PathOf("mnt"), 16);
        string store = Path.Combine(fs.Path, "store");
        string foreign = fs.Fill("someone-elses.bin", 4 << 20);
        ToolResult r = Lane.Remapd("--source", "synthetic:count=40000,min=60,max=1000,lossless=1", "--store", store, "--rotate-size", "256k", "--retain-free", "50%", "-q");
        r.ExitCode.Should().Be(0, r.ToString());
        Summary(r.Stderr).DeletedForFree.Should().BeGreaterThan(0);
        fs.Space().Available.Should().BeGreaterThanOrEqualTo(8UL << 20, "half of the 16 MB file system stays free");
        File.Exists(foreign).Should().BeTrue();
        new FileInfo(foreign).Length.Should().Be(4 << 20);
    }

    [RootFact]
    public void A_disk_filled_by_another_process_drops_and_counts_then_writing_resumes_when_space_returns()
    {
        using var lane = new Lane();
        using var fs = new SmallFileSystem(lane.PathOf("mnt"), 8);
        string store = Path.Combine(fs.Path, "store");
        Directory.CreateDirectory(store);
        string filler = fs.Fill("filler.bin", 6 << 20);
        using ProgramRunner.RunningProgram remapd = Lane.StartRemapd("--source", "synthetic:count=150000,min=60,max=1000,rate=15000",
            "--store", store, "--rotate-size", "256k", "--stats-interval", "0.2");
        Lane.WaitFor(() => remapd.StderrSoFar.Contains("disk full writing", StringComparison.Ordinal), "the disk to fill", remapd);
        Thread.Sleep(1000);
        File.Delete(filler);
        ToolResult r = remapd.WaitForExit(Lane.Timeout);
        r.ExitCode.Should().Be(0, "a full disk never stops the capture: " + r);
        r.Stderr.Should().Contain("room again on the file system");
        Match m = DiskFullPattern().Match(r.Stderr);
        m.Success.Should().BeTrue(r.Stderr);
        long diskFull = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        diskFull.Should().BeGreaterThan(0);

        // Every file is whole; every packet handed to the store is in it or counted as a disk-full drop.
        long inStore = 0;
        foreach (string f in StoreTraffic.DataFiles(store))
        {
            inStore += PcapReader.ReadFile(f).Count;
        }

        Directory.GetFiles(store, ".*.part").Should().BeEmpty();
        (inStore + diskFull).Should().Be(Lane.SummaryPackets(r.Stderr));
        File.GetLastWriteTimeUtc(StoreTraffic.DataFiles(store)[^1]).Should().BeAfter(File.GetLastWriteTimeUtc(StoreTraffic.DataFiles(store)[0]));
    }

    /// <summary>Bytes of the store's own files (capture files, indexes, part files), as --retain-bytes counts them.</summary>
    internal static long StoreBytes(string store)
    {
        long total = 0;
        foreach (string f in Directory.GetFiles(store))
        {
            string name = Path.GetFileName(f);
            if (name.EndsWith(".pcap", StringComparison.Ordinal) || name.EndsWith(".pcapng", StringComparison.Ordinal) || name.EndsWith(".idx", StringComparison.Ordinal) || name.EndsWith(".part", StringComparison.Ordinal))
            {
                try
                {
                    total += new FileInfo(f).Length;
                }
                catch (FileNotFoundException)
                {
                }
            }
        }

        return total;
    }

    internal readonly record struct StoreSummary(long DeletedForBytes, long DeletedForFree, long DeletedForAge, long PacketsDeleted, long BusySkipped);

    internal static StoreSummary Summary(string stderr)
    {
        Match m = SummaryPattern().Match(stderr);
        m.Success.Should().BeTrue(stderr);
        long At(int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new StoreSummary(At(1), At(2), At(3), At(4), At(5));
    }

    [GeneratedRegex(@"deleted (\d+) for --retain-bytes, (\d+) for --retain-free, (\d+) for --retain-age \((\d+) packets, \d+ bytes\), (\d+) passed over")]
    private static partial Regex SummaryPattern();

    [GeneratedRegex(@"remapd: lost (\d+) packets: disk full")]
    private static partial Regex DiskFullPattern();
}
