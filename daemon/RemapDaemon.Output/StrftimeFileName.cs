using System.Text;
using RemapDaemon.Output.Interop;

namespace RemapDaemon.Output;

/// <summary>
/// A -w name as tcpdump -G reads it: a strftime(3) format, expanded for the local time of a
/// file's start (tcpdump's MakeFilename: localtime, then strftime). libc does the expansion, so
/// every conversion it knows (%Y %m %d %H %M %S %j %s %y %b %a %e %Z %z %F %T %%, flags and
/// widths) means exactly what it means to tcpdump and date(1); TZ (or /etc/localtime) gives the
/// zone. Thread-safe; allocates only the returned name.
/// </summary>
public static class StrftimeFileName
{
    /// <summary>PATH_MAX: tcpdump's limit on an expanded name too.</summary>
    public const int MaxLength = 4096;

    private const long NanosecondsPerSecond = 1_000_000_000;

    static StrftimeFileName()
    {
        // localtime_r need not read TZ itself (POSIX); read it once, before the first name.
        LibC.tzset();
    }

    /// <summary>
    /// Whether <paramref name="name"/> has a conversion other than %% (which is a literal '%'):
    /// only then can two start times give two names.
    /// </summary>
    public static bool HasConversions(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < name.Length - 1; i++)
        {
            if (name[i] == '%')
            {
                if (name[i + 1] != '%')
                {
                    return true;
                }

                i++; // "%%": skip the escaped '%'.
            }
        }

        return false;
    }

    /// <summary>
    /// <paramref name="name"/> expanded by strftime for the local time of the second of
    /// <paramref name="timestampNs"/> (nanoseconds since the epoch, UTC).
    /// </summary>
    /// <exception cref="ArgumentException">The expansion is empty or longer than <see cref="MaxLength"/> bytes.</exception>
    public static unsafe string Format(string name, ulong timestampNs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        long seconds = (long)(timestampNs / NanosecondsPerSecond);
        tm local;
        if (LibC.localtime_r(&seconds, &local) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(timestampNs), timestampNs, "localtime_r: the time is out of range");
        }

        // NUL-terminated UTF-8, as strftime reads it; the file name is UTF-8 to the kernel too.
        byte[] format = new byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, format);
        byte[] expanded = new byte[MaxLength + 1];
        nuint length;
        fixed (byte* f = format)
        fixed (byte* s = expanded)
        {
            length = LibC.strftime(s, (nuint)expanded.Length, f, &local);
        }

        // 0 is "did not fit" or an empty name: neither names a file.
        if (length == 0 || length > MaxLength)
        {
            throw new ArgumentException(
                $"-w '{name}' expanded by strftime is empty or longer than {MaxLength} bytes", nameof(name));
        }

        return Encoding.UTF8.GetString(expanded, 0, (int)length);
    }
}
