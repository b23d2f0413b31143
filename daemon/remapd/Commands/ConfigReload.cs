using Microsoft.Extensions.Logging;
using RemapDaemon.Engine;
using RemapDaemon.Filtering;
using RemapDaemon.Remapd.Cli;
using RemapDaemon.Remapd.Output;
using RemapDaemon.Remapd.Signals;
using RemapDaemon.Service.Config;
using RemapDaemon.Service.Systemd;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// What a SIGHUP (systemctl reload) does to a capture run from --config, on the capture loop's
/// thread when it asks (<see cref="IFilterReloads"/>): tell systemd RELOADING=1, read the command
/// line and its file again through the start's own path (<see cref="ServiceConfig"/>: every value
/// checked, the filter compiled, the output directory tried), and then
/// <list type="bullet">
/// <item>a file that is refused is logged with its FILE:LINE and reason; nothing changes;</item>
/// <item>the filter (the <c>filter</c> key, or the file <c>filter-file</c> names) is handed to the
/// loop, which swaps it atomically as for --filter-file; an unchanged one is left alone;</item>
/// <item>any other key whose value differs from the one the capture started with (interface,
/// sizes, output, metrics address...) is logged as taking effect only at a restart.</item>
/// </list>
/// Then READY=1 again, on the loop's next turn (<see cref="LoopHeartbeat.Reloaded"/>).
/// </summary>
internal sealed class ConfigReload(
    ReloadSignal signal, CaptureCommand.Reparse service, Func<BpfProgram?> running, ServiceNotifier notifier, LoopHeartbeat heartbeat, ILogger logger) : IFilterReloads
{
    private static readonly string[] LiveKeys = ["filter", "filter-file"];

    public bool TryTake(out BpfProgram? program)
    {
        program = null;
        if (!signal.TryTake())
        {
            return false;
        }

        notifier.Reloading();
        try
        {
            return Reload(out program);
        }
        finally
        {
            heartbeat.Reloaded();
        }
    }

    private bool Reload(out BpfProgram? program)
    {
        program = null;
        string path = service.Started.Path;
        BpfProgram? current = running();
        Log.ConfigReading(logger, path);
        ServiceConfig next;
        PacketSelection selection;
        try
        {
            (CaptureOptions options, next) = service.Read();
            selection = next.Check(options);
        }
        catch (Exception e) when (e is ConfigException or CommandException)
        {
            Log.ConfigRefused(logger, e.Message, Describe(current));
            return false;
        }

        IReadOnlyDictionary<string, string> before = service.Started.File.Values();
        IReadOnlyDictionary<string, string> after = next.File.Values();
        foreach (string key in before.Keys.Union(after.Keys).Where(k => !LiveKeys.Contains(k)).Order(StringComparer.Ordinal))
        {
            string old = before.GetValueOrDefault(key) ?? "(not set)";
            string now = after.GetValueOrDefault(key) ?? "(not set)";
            if (old != now)
            {
                int line = next.File.LineOf(key);
                Log.ConfigNeedsRestart(logger, next.Path, line > 0 ? line : service.Started.File.LineOf(key), key, old, now);
            }
        }

        string expression = selection.Filter?.Expression ?? "";
        if (expression == (current?.Expression ?? ""))
        {
            Log.ConfigFilterUnchanged(logger, next.Path, Describe(current));
            return false;
        }

        Log.ConfigFilterReplacing(logger, next.Path, Describe(current), Describe(selection.Filter));
        program = selection.Filter;
        return true;
    }

    private static string Describe(BpfProgram? program) =>
        program is null ? "no filter" : $"filter '{program.Expression}'";
}
