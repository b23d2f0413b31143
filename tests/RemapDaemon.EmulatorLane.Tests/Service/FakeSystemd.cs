using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace RemapDaemon.EmulatorLane.Tests.Service;

/// <summary>
/// Plays systemd's side of sd_notify(3): a unix datagram socket whose path goes into
/// $NOTIFY_SOCKET; every datagram is kept with the time it came (monotonic seconds since start).
/// </summary>
internal sealed class FakeSystemd : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<(double At, string Message)> _messages = [];
    private readonly Thread _reader;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _stop;

    public FakeSystemd(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _socket.ReceiveTimeout = 100;
        _reader = new Thread(Read) { IsBackground = true };
        _reader.Start();
    }

    public string Path { get; }

    public double Now => _clock.Elapsed.TotalSeconds;

    public IReadOnlyList<(double At, string Message)> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IReadOnlyList<double> Pings(double from = 0, double to = double.MaxValue) =>
        [.. Messages.Where(m => m.Message == "WATCHDOG=1" && m.At >= from && m.At <= to).Select(m => m.At)];

    public string Transcript => string.Join("\n", Messages.Select(m => $"{m.At:0.000} {m.Message.Replace('\n', '|')}"));

    public void Dispose()
    {
        _stop = true;
        _reader.Join();
        _socket.Dispose();
        File.Delete(Path);
    }

    private void Read()
    {
        byte[] buffer = new byte[4096];
        while (!_stop)
        {
            try
            {
                int n = _socket.Receive(buffer);
                lock (_messages)
                {
                    _messages.Add((Now, Encoding.UTF8.GetString(buffer, 0, n)));
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
            }
        }
    }
}
