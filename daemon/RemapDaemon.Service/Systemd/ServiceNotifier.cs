using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace RemapDaemon.Service.Systemd;

/// <summary>
/// sd_notify(3), written out: one datagram per state change to the unix socket systemd names in
/// <c>$NOTIFY_SOCKET</c> (a path, or an abstract name written with a leading '@'), for units of
/// <c>Type=notify</c>. READY=1 when the capture loop runs, RELOADING=1 with MONOTONIC_USEC and
/// READY=1 again around a reload, STOPPING=1 when asked to stop, WATCHDOG=1 from the capture
/// loop (<see cref="LoopHeartbeat"/>). Without <c>$NOTIFY_SOCKET</c> (not started by systemd)
/// every call does nothing. A datagram that cannot be sent is dropped, as sd_notify's callers
/// ignore its errors: the service works on, and systemd acts on what it did not hear
/// (a start timeout, a watchdog restart).
/// Thread safety: any thread may call (a datagram socket sends whole messages).
/// </summary>
public sealed class ServiceNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _systemd;

    private ServiceNotifier(Socket? socket, UnixDomainSocketEndPoint? systemd, TimeSpan? watchdog)
    {
        _socket = socket;
        _systemd = systemd;
        WatchdogInterval = watchdog;
    }

    /// <summary>systemd listens (<c>$NOTIFY_SOCKET</c> is set).</summary>
    public bool Enabled => _socket is not null;

    /// <summary>
    /// <c>WatchdogSec=</c> of the unit (<c>$WATCHDOG_USEC</c>, when <c>$WATCHDOG_PID</c> is unset
    /// or this process), or null: no watchdog. Pings must come more often than this.
    /// </summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>The notifier the environment asks for (a disabled one when systemd did not start this process).</summary>
    public static ServiceNotifier FromEnvironment()
    {
        string? path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path) || path[0] is not ('/' or '@'))
        {
            return new ServiceNotifier(null, null, null);
        }

        // An abstract socket's name starts with a NUL byte, which systemd spells '@'.
        var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        return new ServiceNotifier(socket, endpoint, Watchdog());
    }

    /// <summary>READY=1: start-up is done (or a reload is).</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    /// <summary>RELOADING=1 with the monotonic clock, as systemd 253's Type=notify-reload asks (older systemd ignores the extra field).</summary>
    public void Reloading() =>
        Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}\nSTATUS=reloading the configuration");

    /// <summary>STOPPING=1: shutting down (draining, flushing, the summary).</summary>
    public void Stopping() => Send("STOPPING=1\nSTATUS=stopping");

    /// <summary>WATCHDOG=1: the capture loop is alive.</summary>
    public void WatchdogPing() => Send("WATCHDOG=1");

    /// <summary>STATUS=...: a free-text line systemctl status shows.</summary>
    public void Status(string status) => Send($"STATUS={status}");

    public void Dispose() => _socket?.Dispose();

    /// <summary>CLOCK_MONOTONIC in microseconds: what Stopwatch reads on Linux.</summary>
    private static long MonotonicMicroseconds() =>
        (long)(Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency * 1_000_000);

    private static TimeSpan? Watchdog()
    {
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null; // the watchdog is another process's
        }

        return ulong.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    private void Send(string state)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _systemd!);
        }
        catch (SocketException)
        {
            // systemd gone or not listening: nothing to tell, nothing to do (see above).
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
