using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using RemapDaemon.EmulatorLane.Tests.Support;
using RemapDaemon.Fleet;
using RemapDaemon.Fleet.Messages;
using RemapDaemon.Tests.Support;

namespace RemapDaemon.EmulatorLane.Tests.Fleet;

/// <summary>
/// A capture fleet on loopback, every part of it real: a hub of three nats-servers (Debian's
/// package, configured by tools/fleet/nats-conf.sh), one leaf server per sensor host whose
/// uplink runs through a <see cref="TcpProxy"/> per hub node (so it can be cut), and one remapd
/// per host capturing the emulator's synthetic traffic into its own store with --fleet.
/// Everything is started here and stopped by <see cref="Dispose"/>.
/// </summary>
internal sealed class FleetHarness : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly List<IDisposable> _owned = [];

    public FleetHarness(IReadOnlyList<(string Host, string Source)> hosts)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("remapd-fleet-").FullName;
        for (int n = 1; n <= 3; n++)
        {
            HubNodes.Add(NatsServer.Hub(Directory, n, HubPorts));
        }

        foreach (NatsServer s in HubNodes)
        {
            s.Start();
        }

        foreach ((string host, string source) in hosts)
        {
            var proxies = HubNodes.Select(h => new TcpProxy(FreePort(), h.LeafPort)).ToList();
            _owned.AddRange(proxies);
            NatsServer leaf = NatsServer.Leaf(Directory, host, proxies.Select(p => p.Port).ToList());
            leaf.Start();
            Hosts[host] = new SensorHost(host, source, leaf, proxies, Path.Combine(Directory, host, "store"));
        }
    }

    public string Directory { get; }

    public List<NatsServer> HubNodes { get; } = [];

    public Dictionary<string, SensorHost> Hosts { get; } = new(StringComparer.Ordinal);

    /// <summary>The hub's client URLs, as remapctl fleet --server takes them.</summary>
    public string HubUrls => string.Join(",", HubNodes.Select(h => h.Url));

    /// <summary>
    /// Bases of three free ports each (node N listens on BASE+N-1): client, cluster, leafnode;
    /// and the leafnode address each node announces, where nothing listens: a leaf that
    /// reconnects to an announced address would bypass its proxies (and a cut would cut
    /// nothing), so the only way up from a leaf is through them.
    /// </summary>
    private static (int Client, int Cluster, int Leaf, int Announced) HubPorts { get; } = (FreeRun(), FreeRun(), FreeRun(), FreeRun());

    /// <summary>Starts every host's remapd.</summary>
    public void StartSensors()
    {
        foreach (SensorHost h in Hosts.Values)
        {
            h.StartSensor();
        }
    }

    /// <summary>A connection to the first hub node that answers.</summary>
    public async Task<NatsConnection> ConnectHubAsync()
    {
        foreach (NatsServer node in HubNodes.Where(n => n.IsRunning))
        {
            var c = new NatsConnection(NatsOpts.Default with { Url = node.Url, ConnectTimeout = TimeSpan.FromSeconds(3), RequestTimeout = TimeSpan.FromSeconds(5) });
            try
            {
                await c.ConnectAsync();
                return c;
            }
            catch (NatsException)
            {
                await c.DisposeAsync();
            }
        }

        throw new InvalidOperationException("no hub node answers");
    }

    public static NatsJSContext HubJetStream(NatsConnection c) => new(c, new NatsJSOpts(c.Opts, domain: FleetNames.DefaultHubDomain));

    /// <summary>Every message of a stream, in order: subject, message id, payload.</summary>
    public static async Task<List<(string Subject, string MsgId, byte[] Data)>> ReadStreamAsync(NatsJSContext js, string stream)
    {
        var all = new List<(string, string, byte[])>();
        INatsJSStream s = await js.GetStreamAsync(stream);
        if (s.Info.State.Messages == 0)
        {
            return all;
        }

        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(stream);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            int got = 0;
            bool done = false;
            await foreach (NatsJSMsg<byte[]> m in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 500 }))
            {
                got++;
                string id = m.Headers is { } h && h.TryGetValue("Nats-Msg-Id", out var v) ? v.ToString() : "";
                all.Add((m.Subject, id, m.Data ?? []));
                done = m.Metadata?.NumPending == 0;
            }

            if (done || got == 0)
            {
                break;
            }
        }

        return all;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var t = Stopwatch.StartNew();
        while (t.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception e) when (e is NatsException or NatsJSException or NatsKVException or TimeoutException or OperationCanceledException)
            {
            }

            await Task.Delay(250);
        }

        return false;
    }

    /// <summary>The latest heartbeat of every host in remapd-alive.</summary>
    public async Task<Dictionary<string, HostStats>> AliveAsync()
    {
        await using NatsConnection c = await ConnectHubAsync();
        var kv = new NatsKVContext(HubJetStream(c));
        INatsKVStore store = await kv.GetStoreAsync(FleetNames.AliveBucket);
        var result = new Dictionary<string, HostStats>(StringComparer.Ordinal);
        await foreach (string key in store.GetKeysAsync())
        {
            NatsKVEntry<byte[]> e = await store.GetEntryAsync<byte[]>(key);
            result[key] = FleetCodec.Decode(e.Value, FleetJson.Default.HostStats, "heartbeat");
        }

        return result;
    }

    public void Dispose()
    {
        foreach (SensorHost h in Hosts.Values)
        {
            h.Dispose();
        }

        foreach (IDisposable d in _owned)
        {
            d.Dispose();
        }

        foreach (NatsServer s in HubNodes)
        {
            s.Dispose();
        }

        if (Environment.GetEnvironmentVariable("REMAPD_KEEP_FLEET") is null)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The first of three consecutive free ports.</summary>
    internal static int FreeRun()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int first = Random.Shared.Next(20000, 60000);
            if (Enumerable.Range(first, 3).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException("no three consecutive free ports on loopback");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A sensor host: its leaf server, its uplink's proxies, its store and its remapd.</summary>
    internal sealed class SensorHost(string host, string source, NatsServer leaf, List<TcpProxy> uplink, string store) : IDisposable
    {
        public string Host { get; } = host;

        public NatsServer Leaf { get; } = leaf;

        public string Store { get; } = store;

        public ProgramRunner.RunningProgram? Remapd { get; private set; }

        /// <summary>Every remapd run's stderr so far (a run killed with -9 keeps its own).</summary>
        public List<string> Logs { get; } = [];

        public void StartSensor()
        {
            Remapd = ProgramRunner.Start(ProgramRunner.Remapd,
                "capture", "--backend", "emulator", "--source", source, "-i", "lo", "--store", Store, "-G", "2",
                "--fleet", Leaf.Url, "--fleet-host", Host, "--fleet-interval", Interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                "--stats-interval", "0");
        }

        /// <summary>SIGINT, and the run's exit (its summary on stderr).</summary>
        public ToolResult StopSensor()
        {
            ProgramRunner.RunningProgram r = Remapd!;
            r.Interrupt();
            ToolResult result = r.WaitForExit(TimeSpan.FromSeconds(30));
            Logs.Add(result.Stderr);
            r.Dispose();
            Remapd = null;
            return result;
        }

        /// <summary>kill -9: no summary, no last file, no stop event.</summary>
        public void KillSensor()
        {
            ProgramRunner.RunningProgram r = Remapd!;
            ProgramRunner.Kill(r.Pid, 9);
            Logs.Add(r.WaitForExit(TimeSpan.FromSeconds(30)).Stderr);
            r.Dispose();
            Remapd = null;
        }

        public void CutUplink() => uplink.ForEach(p => p.Cut());

        public void RestoreUplink() => uplink.ForEach(p => p.Restore());

        public NatsConnection ConnectLeaf() =>
            new(NatsOpts.Default with { Url = Leaf.Url, ConnectTimeout = TimeSpan.FromSeconds(3), RequestTimeout = TimeSpan.FromSeconds(5) });

        public void Dispose()
        {
            if (Remapd is not null)
            {
                ProgramRunner.Kill(Remapd.Pid, 9);
                Remapd.Dispose();
                Remapd = null;
            }

            Leaf.Dispose();
        }
    }
}

/// <summary>One nats-server process from a configuration tools/fleet/nats-conf.sh wrote; kill -9 and restart keep its store.</summary>
internal sealed class NatsServer : IDisposable
{
    private Process? _process;

    private NatsServer(string name, string config, int clientPort, int leafPort)
    {
        Name = name;
        Config = config;
        ClientPort = clientPort;
        LeafPort = leafPort;
    }

    public string Name { get; }

    public string Config { get; }

    public int ClientPort { get; }

    /// <summary>A hub node's leafnode port (0 for a leaf).</summary>
    public int LeafPort { get; }

    public string Url => $"nats://127.0.0.1:{ClientPort}";

    public bool IsRunning => _process is { HasExited: false };

    public static NatsServer Hub(string dir, int n, (int Client, int Cluster, int Leaf, int Announced) bases)
    {
        static string S(int v) => v.ToString(CultureInfo.InvariantCulture);
        string config = Conf("hub", dir, S(n), S(bases.Client), S(bases.Cluster), S(bases.Leaf), "", S(bases.Announced));
        return new NatsServer($"hub-{n}", config, bases.Client + n - 1, bases.Leaf + n - 1);
    }

    public static NatsServer Leaf(string dir, string host, IReadOnlyList<int> hubLeafPorts)
    {
        int client = FleetHarness.FreePort();
        string config = Conf("leaf", dir, host, client.ToString(CultureInfo.InvariantCulture),
            string.Join(",", hubLeafPorts.Select(p => $"nats-leaf://127.0.0.1:{p}")));
        return new NatsServer(host, config, client, 0);
    }

    public void Start()
    {
        var psi = new ProcessStartInfo("nats-server", ["-c", Config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var t = Stopwatch.StartNew();
        while (t.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, ClientPort);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"nats-server {Name} ({Config}) exited with {_process.ExitCode}");
                }

                Thread.Sleep(100);
            }
        }

        throw new TimeoutException($"nats-server {Name} does not listen on {ClientPort} after 20 s");
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        _process = null;
    }

    /// <summary>tools/fleet/nats-conf.sh ARGS: prints the path of the configuration it wrote.</summary>
    private static string Conf(params string[] args)
    {
        ToolResult r = ExternalTool.Run("bash", [Path.Combine(RepoRoot.Path, "tools", "fleet", "nats-conf.sh"), .. args]);
        r.ExitCode.Should().Be(0, r.ToString());
        string path = r.Stdout.Trim().Split('\n')[^1].Trim();
        File.Exists(path).Should().BeTrue(r.ToString());
        return path;
    }
}
