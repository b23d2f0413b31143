using RemapDaemon.Engine;
using RemapDaemon.Filtering;

namespace RemapDaemon.Remapd.Commands;

/// <summary>
/// One SIGHUP for every member of remapd -j N: member 0's loop takes the request and compiles
/// the new program (<see cref="FilterReload"/>); every member's loop then puts that same program
/// in force on its own thread, the next time it asks (each member has its own capture, so each
/// replaces its own hook's filter).
/// </summary>
internal sealed class SharedFilterReloads(IFilterReloads source)
{
    private readonly Lock _gate = new();
    private int _generation;
    private BpfProgram? _program;

    /// <summary>What member <paramref name="k"/>'s capture loop asks.</summary>
    internal IFilterReloads Member(int k) => new View(this, k);

    private sealed class View(SharedFilterReloads shared, int member) : IFilterReloads
    {
        private int _seen;

        public bool TryTake(out BpfProgram? program)
        {
            if (member == 0 && shared.Take(out BpfProgram? fresh))
            {
                lock (shared._gate)
                {
                    shared._generation++;
                    shared._program = fresh;
                }
            }

            lock (shared._gate)
            {
                program = shared._program;
                if (_seen == shared._generation)
                {
                    return false;
                }

                _seen = shared._generation;
                return true;
            }
        }
    }

    private bool Take(out BpfProgram? program) => source.TryTake(out program);
}
