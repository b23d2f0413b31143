using System.Reflection;
using System.Runtime.InteropServices;

namespace RemapDaemon.Device;

/// <summary>
/// Finds libskbremap_emu.so for the LibraryImport("skbremap_emu") calls. Places, in order:
/// $SKBREMAP_EMU_LIBRARY (a file), next to the program (where the csproj copies it and where
/// a NativeAOT publish puts it), then build/emulator/ of the checkout the program runs from
/// (make -C tools/emulator's output), found by walking up from the program's directory.
/// A NativeAOT binary resolves lazily bound P/Invokes through this resolver too.
/// </summary>
internal static class EmulatorLibraryResolver
{
    internal const string EnvironmentVariable = "SKBREMAP_EMU_LIBRARY";

    private static readonly object Gate = new();
    private static bool _installed;

    /// <summary>Every path tried, for the "not found" message.</summary>
    internal static IReadOnlyList<string> Candidates()
    {
        var candidates = new List<string>();
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            candidates.Add(fromEnvironment);
        }

        string programDirectory = AppContext.BaseDirectory;
        candidates.Add(Path.Combine(programDirectory, EmulatorBackend.LibraryFileName));
        for (var dir = new DirectoryInfo(programDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RemapDaemon.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, "build", "emulator", EmulatorBackend.LibraryFileName));
                break;
            }
        }

        return candidates;
    }

    /// <summary>Installs the resolver once per process; call before the first emulator call.</summary>
    internal static void Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                NativeLibrary.SetDllImportResolver(typeof(EmulatorLibraryResolver).Assembly, Resolve);
                _installed = true;
            }
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Interop.Libraries.SkbremapEmu)
        {
            return 0; // libc and the rest: the runtime's default probing.
        }

        foreach (string candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out nint handle))
            {
                return handle;
            }
        }

        return 0; // Default probing (LD_LIBRARY_PATH, ...) gets the last word.
    }
}
