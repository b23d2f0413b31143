using Microsoft.Extensions.Logging;
using RemapDaemon.Engine;
using RemapDaemon.Filtering;
using RemapDaemon.Remapd.Output;
using RemapDaemon.Remapd.Signals;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// What a SIGHUP does to remapd capture, on the capture loop's thread when it asks
/// (<see cref="IFilterReloads"/>): read --filter-file again (<see cref="FilterFile"/>), compile
/// it with libpcap exactly as at the start (<see cref="PacketSelection.CompileFilter"/>), and
/// hand the program to the loop, which puts it in force (<see cref="CaptureSession.ReplaceFilter"/>)
/// and logs it. A file that cannot be read or an expression libpcap rejects is logged with
/// the reason, and the running filter stays. Without --filter-file there is nothing to reload.
/// </summary>
internal sealed class FilterReload(ReloadSignal signal, string? path, uint snaplen, Func<BpfProgram?> running, ILogger logger) : IFilterReloads
{
    public bool TryTake(out BpfProgram? program)
    {
        program = null;
        if (!signal.TryTake())
        {
            return false;
        }

        if (path is null)
        {
            Log.NothingToReload(logger);
            return false;
        }

        BpfProgram? current = running();
        string expression;
        try
        {
            expression = FilterFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.ReloadUnreadable(logger, path, e.Message, Describe(current));
            return false;
        }

        if (expression == (current?.Expression ?? ""))
        {
            Log.ReloadUnchanged(logger, path, Describe(current));
            return false;
        }

        if (expression.Length == 0)
        {
            return true; // an empty file: no filter, as at the start
        }

        try
        {
            program = PacketSelection.CompileFilter(expression, snaplen);
            return true;
        }
        catch (BpfCompileException e)
        {
            // libpcap's own words, as tcpdump prints them for the same expression.
            Log.ReloadBadExpression(logger, path, expression, e.Message, Describe(current));
        }
        catch (DllNotFoundException e)
        {
            Log.ReloadBadExpression(logger, path, expression, e.Message, Describe(current));
        }

        return false;
    }

    private static string Describe(BpfProgram? program) =>
        program is null ? "no filter" : $"filter '{program.Expression}'";
}
