using System.Runtime.InteropServices;

namespace RemapDaemon.EmulatorLane.Tests.Support;

/// <summary>A fact that needs root (it mounts a small tmpfs): reported as skipped, never as passed, when not root.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed partial class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (geteuid() != 0)
        {
            Skip = "needs root (mounts a tmpfs of a few MB); CI runs as root";
        }
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
