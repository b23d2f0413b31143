using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Fleet;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Tests.Support;
using Xunit.Abstractions;

namespace RemapDaemon.EmulatorLane.Tests.Fleet;

/// <summary>
/// A fleet of three sensor hosts on loopback, run through one story (every server and remapd
/// real, started and stopped here): steering through the hub's KV bucket, bad desired values
/// refused while capture goes on, the service's stop and start, faults (a hub node killed and
/// restarted, one host's uplink cut and restored, one sensor killed -9 and restarted, the
/// whole hub down), then remapctl fleet find and extract against tcpdump -r over the three
/// stores, and the books: every message the leaves hold reached the hub exactly once, one index
/// record per store file.
/// </summary>
public sealed class FleetTests(ITestOutputHelper output)
{
    private static readonly string AllFilter = "udp port 40000 or udp port 40001 or udp port 40002 or udp port 40003";

    private static readonly (string Host, string Source)[] Hosts =
    [
        ("sensor-a", "synthetic:rate=150,flows=4,min=60,max=300,step=7"),
        ("sensor-b", "synthetic:rate=150,flows=6,min=100,max=700,step=11"),
        ("sensor-c", "synthetic:rate=150,flows=8,min=60,max=1400,step=13"),
    ];

    /// <summary>Filters for find and extract: flow keys, lengths, a byte no flow key holds, none at all.</summary>
    private static readonly string[] Queries =
    [
        "",
        "udp port 40001",
        "udp src port 40002",
        "src host 198.18.0.2",
        "udp dst port 9 and greater 200",
        "less 120",
        "portrange 40003-40005",
        "not port 40000",
        "ip[4:2] & 1 = 1",
        "udp port 40006 or udp port 40007",
        "udp and (port 40004 or port 40002) and greater 500",
    ];

    [Fact]
    public async Task A_fleet_of_three_sensors_is_steered_survives_faults_and_answers_find_and_extract_as_tcpdump_does()
    {
        using var fleet = new FleetHarness(Hosts);
        ulong startNs = NowNs();
        fleet.StartSensors();

        // 1. Every host's heartbeat reaches the hub's bucket.
        (await FleetHarness.EventuallyAsync(async () => (await fleet.AliveAsync()).Count == 3, TimeSpan.FromSeconds(60)))
            .Should().BeTrue("three heartbeats in remapd-alive within 60 s\n" + Stderr(fleet));
        ToolResult status = Fleetctl(fleet, "status");
        status.ExitCode.Should().Be(0, status.ToString());
        foreach ((string host, _) in Hosts)
        {
            status.Stdout.Should().Contain(host, status.ToString());
        }

        // 2. A filter for all hosts takes effect on each (what each then writes).
        ulong allRevision = await PutConfigAsync(fleet, FleetNames.AllHostsKey, $"# every sensor\nfilter = {AllFilter}\n");
        var applied = new Dictionary<string, ulong>();
        foreach ((string host, _) in Hosts)
        {
            (await FleetHarness.EventuallyAsync(async () =>
                (await fleet.AliveAsync()).TryGetValue(host, out HostStats? s) && s.Config.AllRevision == allRevision && s.Config.Applied && s.Filter == AllFilter,
                TimeSpan.FromSeconds(30))).Should().BeTrue($"{host} applies 'all' revision {allRevision}\n" + Stderr(fleet));
            applied[host] = NowNs();
        }

        // 3. Bad desired values: refused and said so; the running filter stays; capture goes on.
        ulong badValue = await PutConfigAsync(fleet, FleetNames.HostKey("sensor-b"), "snaplen = banana\n");
        ulong badFilter = await PutConfigAsync(fleet, FleetNames.HostKey("sensor-c"), "filter = udp portt 7\n");
        ulong unknownKey = await PutConfigAsync(fleet, FleetNames.HostKey("sensor-a"), "no-such-option = 1\n");
        foreach ((string host, ulong revision, string says) in new[] { ("sensor-b", badValue, "snaplen"), ("sensor-c", badFilter, "portt"), ("sensor-a", unknownKey, "no-such-option") })
        {
            HostStats? refused = null;
            (await FleetHarness.EventuallyAsync(async () =>
                (await fleet.AliveAsync()).TryGetValue(host, out refused) && refused.Config.HostRevision == revision && !refused.Config.Applied,
                TimeSpan.FromSeconds(30))).Should().BeTrue($"{host} refuses host revision {revision}\n" + Stderr(fleet));
            refused!.Config.Error.Should().Contain(says);
            refused.Filter.Should().Be(AllFilter, $"{host} keeps the running filter");
            ulong before = refused.Packets;
            (await FleetHarness.EventuallyAsync(async () => (await fleet.AliveAsync())[host].Packets > before, TimeSpan.FromSeconds(15)))
                .Should().BeTrue($"{host} captures on after the refusal");
        }

        // A good host value next to a change that needs a restart: the filter now, snaplen reported.
        const string CFilter = "udp port 40002 or udp port 40003";
        ulong good = await PutConfigAsync(fleet, FleetNames.HostKey("sensor-c"), $"filter = {CFilter}\nsnaplen = 200\n");
        (await FleetHarness.EventuallyAsync(async () =>
            (await fleet.AliveAsync())["sensor-c"] is { Config.Applied: true } s && s.Config.HostRevision == good && s.Filter == CFilter && s.Config.RestartKeys.Contains("snaplen"),
            TimeSpan.FromSeconds(30))).Should().BeTrue("sensor-c applies its own filter and reports snaplen as waiting for a restart\n" + Stderr(fleet));
        applied["sensor-c"] = NowNs();

        // 4. The service: stop and start one host.
        ToolResult stop = Fleetctl(fleet, "stop", "--host", "sensor-b");
        stop.ExitCode.Should().Be(0, stop.ToString());
        ulong stoppedAt = 0;
        (await FleetHarness.EventuallyAsync(async () => (await fleet.AliveAsync())["sensor-b"] is { State: "stopped" } s && (stoppedAt = s.Packets) > 0, TimeSpan.FromSeconds(15)))
            .Should().BeTrue("sensor-b reports stopped");
        // The windows in flight at the stop drain first; from then on nothing is written.
        await Task.Delay(2500);
        ulong settled = (await RetryAsync(fleet.AliveAsync))["sensor-b"].Packets;
        await Task.Delay(3000);
        ulong stillStopped = (await RetryAsync(fleet.AliveAsync))["sensor-b"].Packets;
        stillStopped.Should().Be(settled, $"a stopped sensor writes nothing ({stoppedAt} when it said stopped)");
        ToolResult start = Fleetctl(fleet, "start", "--host", "sensor-b");
        start.ExitCode.Should().Be(0, start.ToString());
        (await FleetHarness.EventuallyAsync(async () => (await fleet.AliveAsync())["sensor-b"] is { State: "capturing" } s && s.Packets > stillStopped + 50, TimeSpan.FromSeconds(15)))
            .Should().BeTrue("sensor-b captures again after start");

        // 5. Faults: a hub node killed and restarted; one uplink cut and restored; one sensor killed -9 and restarted.
        fleet.HubNodes[1].Kill();
        await Task.Delay(4000);
        fleet.HubNodes[1].Start();
        // The cut is real: the leaf's stream grows, the hub's copy of it does not.
        fleet.Hosts["sensor-a"].CutUplink();
        await Task.Delay(1500);
        (ulong hubBefore, ulong leafBefore) = await CountsAsync(fleet, "sensor-a");
        await Task.Delay(6500);
        (ulong hubAfter, ulong leafAfter) = await CountsAsync(fleet, "sensor-a");
        leafAfter.Should().BeGreaterThan(leafBefore, "sensor-a publishes into its leaf while the uplink is cut");
        hubAfter.Should().Be(hubBefore, "nothing of sensor-a reaches the hub while its uplink is cut");
        fleet.Hosts["sensor-a"].RestoreUplink();
        fleet.Hosts["sensor-c"].KillSensor();
        await Task.Delay(2000);
        fleet.Hosts["sensor-c"].StartSensor();

        // The whole hub down: clear errors from remapctl; no sensor stops capturing.
        foreach (NatsServer node in fleet.HubNodes)
        {
            node.Kill();
        }

        ToolResult down = Fleetctl(fleet, "status");
        down.ExitCode.Should().NotBe(0, down.ToString());
        down.Stderr.Should().Contain("does not answer", down.ToString());
        var filesBefore = fleet.Hosts.Values.ToDictionary(h => h.Host, h => StoreTraffic.DataFiles(h.Store).Length);
        await Task.Delay(5000);
        foreach (FleetHarness.SensorHost h in fleet.Hosts.Values)
        {
            h.Remapd!.HasExited.Should().BeFalse($"{h.Host}'s remapd runs on while the hub is down\n{h.Remapd.StderrSoFar}");
            StoreTraffic.DataFiles(h.Store).Length.Should().BeGreaterThan(filesBefore[h.Host], $"{h.Host} completes files while the hub is down");
        }

        foreach (NatsServer node in fleet.HubNodes)
        {
            node.Start();
        }

        (await FleetHarness.EventuallyAsync(async () => (await fleet.AliveAsync()).Values.All(s => s.TimeNs > NowNs() - 3_000_000_000) , TimeSpan.FromSeconds(60)))
            .Should().BeTrue("every host's heartbeat is back after the hub\n" + Stderr(fleet));

        // 6. Bad input to remapctl fleet: an unknown host, a bad expression.
        ToolResult unknown = Fleetctl(fleet, "stop", "--host", "no-such-host");
        unknown.ExitCode.Should().NotBe(0, unknown.ToString());
        unknown.Stderr.Should().Contain("no-such-host", unknown.ToString());
        ToolResult badExpression = Fleetctl(fleet, "find", "--from", Epoch(startNs), "--to", Epoch(NowNs()), "--", "udp", "portt", "7");
        badExpression.ExitCode.Should().Be(2, badExpression.ToString());
        badExpression.Stderr.Should().Contain("portt", badExpression.ToString());
        ToolResult badExtract = Fleetctl(fleet, "extract", "--from", Epoch(startNs), "--to", Epoch(NowNs()), "-w", Path.Combine(fleet.Directory, "bad.pcap"), "--", "udp", "portt", "7");
        badExtract.ExitCode.Should().Be(2, badExtract.ToString());

        // 7. find and extract against tcpdump -r over the three stores, for a range every file of which the hub has indexed.
        ulong endNs = NowNs() - 1_000_000_000;
        (await FleetHarness.EventuallyAsync(async () => await HubIndexedAsync(fleet, endNs), TimeSpan.FromSeconds(60)))
            .Should().BeTrue("the hub holds the index record of every file up to the query range's end\n" + Stderr(fleet));
        var ranges = new (ulong From, ulong To)[]
        {
            (startNs, endNs),
            (applied.Values.Max() + 2_500_000_000, endNs),
            (startNs + ((endNs - startNs) / 3), startNs + (2 * (endNs - startNs) / 3)),
        };
        int compared = 0;
        for (int q = 0; q < Queries.Length; q++)
        {
            (ulong from, ulong to) = ranges[q % ranges.Length];
            compared += CheckQuery(fleet, Queries[q], from, to, q);
        }

        compared.Should().BeGreaterThan(1000, "the queries compared packets, not empty files");

        // 8. The filter took effect: each host's files begun after it applied hold only what it selects.
        foreach ((string host, _) in Hosts)
        {
            string filter = host == "sensor-c" ? CFilter : AllFilter;
            string[] later = [.. StoreTraffic.DataFiles(fleet.Hosts[host].Store).Where(f => NameNs(f) > applied[host] + 1_000_000_000 && NameNs(f) < endNs)];
            later.Should().NotBeEmpty($"{host} completed files after applying its filter");
            int packets = later.Sum(f => PcapReader.ReadFile(f).Count);
            packets.Should().BeGreaterThan(0);
            int outside = later.Sum(f => Tcpdump(f, $"not ({filter})", fleet.Directory).Count);
            outside.Should().Be(0, $"{host} writes only '{filter}' once applied ({packets} packets in {later.Length} files)");
        }

        // 9. Stop every sensor; the books at the hub must balance with the leaves.
        foreach (FleetHarness.SensorHost h in fleet.Hosts.Values)
        {
            ToolResult r = h.StopSensor();
            r.ExitCode.Should().Be(0, r.ToString());
        }

        await using NatsConnection hub = await fleet.ConnectHubAsync();
        NatsJSContext hubJs = FleetHarness.HubJetStream(hub);
        foreach (FleetHarness.SensorHost h in fleet.Hosts.Values)
        {
            await using NatsConnection leaf = h.ConnectLeaf();
            var leafJs = new NatsJSContext(leaf);
            List<(string Subject, string MsgId, byte[] Data)> held = await FleetHarness.ReadStreamAsync(leafJs, FleetNames.HostStream);
            List<(string Subject, string MsgId, byte[] Data)> atHub = [];
            (await FleetHarness.EventuallyAsync(async () =>
            {
                atHub = await FleetHarness.ReadStreamAsync(hubJs, FleetNames.HubStream(h.Host));
                return atHub.Count >= held.Count;
            }, TimeSpan.FromSeconds(60))).Should().BeTrue($"{h.Host}: the hub sources all {held.Count} messages of the leaf (has {atHub.Count})");

            held.Should().NotBeEmpty();
            atHub.Select(m => m.MsgId).Should().OnlyHaveUniqueItems($"{h.Host}: nothing duplicated at the hub");
            atHub.Select(m => m.MsgId).Should().BeEquivalentTo(held.Select(m => m.MsgId), $"{h.Host}: nothing lost between the leaf and the hub");
            held.Select(m => m.MsgId).Should().OnlyHaveUniqueItems($"{h.Host}: nothing duplicated on the leaf");

            var indexed = atHub.Where(m => m.Subject == FleetNames.IndexSubject(h.Host))
                .Select(m => FleetCodec.Decode(m.Data, FleetJson.Default.IndexRecord, "index").File).ToList();
            indexed.Should().BeEquivalentTo(StoreTraffic.DataFiles(h.Store).Select(Path.GetFileName), $"{h.Host}: one index record per store file");

            var stats = atHub.Where(m => m.Subject == FleetNames.StatsSubject(h.Host))
                .Select(m => FleetCodec.Decode(m.Data, FleetJson.Default.HostStats, "stats")).ToList();
            var events = atHub.Where(m => m.Subject == FleetNames.EventSubject(h.Host))
                .Select(m => FleetCodec.Decode(m.Data, FleetJson.Default.HostEvent, "event")).ToList();
            int runs = stats.Select(s => s.Run).Distinct().Count();
            runs.Should().Be(h.Host == "sensor-c" ? 2 : 1, $"{h.Host}: one run, two for the sensor killed and restarted");
            foreach (IGrouping<string, HostStats> run in stats.GroupBy(s => s.Run))
            {
                run.Select(s => s.Seq).Should().Equal(Enumerable.Range(1, run.Count()).Select(i => (ulong)i), $"{h.Host} run {run.Key}: statistics without a gap");
            }

            events.Count(e => e.Kind == HostEventKinds.Start).Should().Be(runs, $"{h.Host}: a start event per run");
            events.Count(e => e.Kind == HostEventKinds.Stop).Should().Be(1, $"{h.Host}: a stop event for the run stopped by SIGINT (none for kill -9)");
            HostStats last = stats[^1];
            double minutes = (last.TimeNs - startNs) / 60e9;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{h.Host}: {held.Count} messages on the leaf = {atHub.Count} at the hub ({held.Sum(m => m.Data.Length)} bytes), {indexed.Count} index records, {stats.Count} statistics, {events.Count} events in {minutes:0.00} min: {held.Count / minutes:0} messages/min, {held.Sum(m => m.Data.Length) / minutes:0} bytes/min at {FleetHarness.Interval.TotalSeconds} s and -G 2"));
        }
    }

    /// <summary>fleet find lists every file tcpdump finds a packet in (and, for filters on flow keys alone over whole files, no other); fleet extract writes exactly tcpdump's packets in time order.</summary>
    private int CheckQuery(FleetHarness fleet, string expression, ulong from, ulong to, int n)
    {
        string what = $"'{expression}' in [{from}, {to})";
        string scratch = Directory.CreateDirectory(Path.Combine(fleet.Directory, $"query-{n}")).FullName;
        var expected = new List<(string Host, PcapRecord Packet)>();
        var filesWith = new HashSet<string>(StringComparer.Ordinal);
        foreach (FleetHarness.SensorHost h in fleet.Hosts.Values)
        {
            foreach (string f in StoreTraffic.DataFiles(h.Store))
            {
                List<PcapRecord> selected = [.. Tcpdump(f, expression, scratch).Where(p => p.TimestampNs >= from && p.TimestampNs < to)];
                if (selected.Count > 0)
                {
                    filesWith.Add($"{h.Host}/{Path.GetFileName(f)}");
                }

                expected.AddRange(selected.Select(p => (h.Host, p)));
            }
        }

        string outputFile = Path.Combine(scratch, "extract.pcap");
        string[] words = [.. TcpdumpOracle.Words(expression)];
        ToolResult extract = Fleetctl(fleet, ["extract", "--from", Epoch(from), "--to", Epoch(to), "-w", outputFile, .. words.Length > 0 ? ["--", .. words] : Array.Empty<string>()]);
        extract.ExitCode.Should().Be(0, extract.ToString());
        List<PcapRecord> got = PcapReader.ReadFile(outputFile);
        got.Select(p => p.TimestampNs).Should().BeInAscendingOrder($"{what}: the merge is in timestamp order");
        got.Select(Key).OrderBy(k => k, StringComparer.Ordinal).Should().Equal(expected.Select(e => Key(e.Packet)).OrderBy(k => k, StringComparer.Ordinal),
            $"{what}: fleet extract returns exactly the union of tcpdump -r over the three stores");

        ToolResult find = Fleetctl(fleet, ["find", "--from", Epoch(from), "--to", Epoch(to), .. words.Length > 0 ? ["--", .. words] : Array.Empty<string>()]);
        find.ExitCode.Should().Be(0, find.ToString());
        (find.Stdout + find.Stderr).Should().Contain(", 0 duplicate records", $"{what}: the hub holds each file's record once");
        foreach (string f in filesWith)
        {
            string file = f[(f.IndexOf('/', StringComparison.Ordinal) + 1)..];
            find.Stdout.Should().Contain(file, $"{what}: fleet find names every file holding a match ({f})");
        }

        output.WriteLine($"{what}: {got.Count} packets extracted = tcpdump's {expected.Count}; {filesWith.Count} files hold matches");
        return got.Count;
    }

    private static string Key(PcapRecord p) => $"{p.TimestampNs:D20}:{p.WireLength}:{Convert.ToHexString(p.Data)}";

    private static List<PcapRecord> Tcpdump(string file, string expression, string scratch)
    {
        string selected = Path.Combine(scratch, $"tcpdump-{Guid.NewGuid():N}.pcap");
        ToolResult r = ExternalTool.Run("tcpdump", ["--time-stamp-precision=nano", "-r", file, "-w", selected, .. TcpdumpOracle.Words(expression)]);
        r.ExitCode.Should().Be(0, r.ToString());
        List<PcapRecord> records = PcapReader.ReadFile(selected);
        File.Delete(selected);
        return records;
    }

    /// <summary>Whether every host's hub stream holds an index record for each of its store's files that began before <paramref name="endNs"/>.</summary>
    private static async Task<bool> HubIndexedAsync(FleetHarness fleet, ulong endNs)
    {
        await using NatsConnection hub = await fleet.ConnectHubAsync();
        NatsJSContext js = FleetHarness.HubJetStream(hub);
        foreach (FleetHarness.SensorHost h in fleet.Hosts.Values)
        {
            var names = (await FleetHarness.ReadStreamAsync(js, FleetNames.HubStream(h.Host)))
                .Where(m => m.Subject == FleetNames.IndexSubject(h.Host))
                .Select(m => FleetCodec.Decode(m.Data, FleetJson.Default.IndexRecord, "index").File).ToHashSet(StringComparer.Ordinal);
            if (StoreTraffic.DataFiles(h.Store).Where(f => NameNs(f) < endNs).Any(f => !names.Contains(Path.GetFileName(f))))
            {
                return false;
            }

            // The file being written when the range ends must be complete too.
            if (Directory.GetFiles(h.Store, ".*.part").Length > 0 && !StoreTraffic.DataFiles(h.Store).Any(f => NameNs(f) >= endNs))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Messages in the host's stream at the hub and on its leaf; asked again while the hub elects
    /// the stream's leader (seconds after a node was killed, stream info gets no answer).
    /// </summary>
    private static Task<(ulong Hub, ulong Leaf)> CountsAsync(FleetHarness fleet, string host) => RetryAsync(() => CountsOnceAsync(fleet, host));

    /// <summary><paramref name="ask"/>, again for up to 30 s while the hub does not answer (a leader election, a node restarting).</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> ask)
    {
        var t = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await ask();
            }
            catch (Exception e) when (e is NatsException or TimeoutException or InvalidOperationException && t.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(250);
            }
        }
    }

    private static async Task<(ulong Hub, ulong Leaf)> CountsOnceAsync(FleetHarness fleet, string host)
    {
        await using NatsConnection hub = await fleet.ConnectHubAsync();
        INatsJSStream atHub = await FleetHarness.HubJetStream(hub).GetStreamAsync(FleetNames.HubStream(host));
        await using NatsConnection leaf = fleet.Hosts[host].ConnectLeaf();
        INatsJSStream onLeaf = await new NatsJSContext(leaf).GetStreamAsync(FleetNames.HostStream);
        return ((ulong)atHub.Info.State.Messages, (ulong)onLeaf.Info.State.Messages);
    }

    private static Task<ulong> PutConfigAsync(FleetHarness fleet, string key, string text) => RetryAsync(() => PutConfigOnceAsync(fleet, key, text));

    private static async Task<ulong> PutConfigOnceAsync(FleetHarness fleet, string key, string text)
    {
        await using NatsConnection c = await fleet.ConnectHubAsync();
        var kv = new NatsKVContext(FleetHarness.HubJetStream(c));
        INatsKVStore store = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(FleetNames.ConfigBucket) { History = 5, NumberOfReplicas = 3 });
        return await store.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(text));
    }

    private static ToolResult Fleetctl(FleetHarness fleet, params string[] args) =>
        ProgramRunner.Run(ProgramRunner.Remapctl, TimeSpan.FromSeconds(90), ["fleet", args[0], "--server", fleet.HubUrls, .. args[1..]]);

    private static string Stderr(FleetHarness fleet) =>
        string.Join("\n", fleet.Hosts.Values.Select(h => $"--- {h.Host} ---\n{string.Join("\n", h.Logs)}{h.Remapd?.StderrSoFar}"));

    private static ulong NameNs(string path)
    {
        RemapDaemon.Store.StoreFileName.TryParseData(Path.GetFileName(path), out ulong start, out _);
        return start;
    }

    private static ulong NowNs() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private static string Epoch(ulong ns) => (ns / 1_000_000_000).ToString(CultureInfo.InvariantCulture) + "." + (ns % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
}
