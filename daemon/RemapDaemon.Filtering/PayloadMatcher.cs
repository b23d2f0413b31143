using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace RemapDaemon.Filtering;

/// <summary>How several payload tests combine.</summary>
public enum PayloadMatchCombination
{
    /// <summary>Every test must match (each option narrows the selection).</summary>
    All,

    /// <summary>One matching test is enough.</summary>
    Any,
}

/// <summary>
/// Selects packets by their payload, in remapd on top of the kernel's BPF filter: byte
/// strings and regular expressions at a fixed offset or anywhere in the payload that
/// <see cref="PacketHeaders"/> locates (TCP/UDP payload; the IP payload for other protocols
/// and non-first fragments; what follows the Ethernet header for non-IP frames). Ethernet
/// padding is never payload.
/// <para>
/// Byte tests use vectorized <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>.
/// A regex sees the payload as Latin-1 text (byte b is char b, so <c>\x00</c>..<c>\xff</c>
/// address bytes), converted into a stack or pooled buffer; it is built with
/// <see cref="RegexOptions.NonBacktracking"/> (linear time, no timeout needed), or, for
/// constructs that engine lacks (backreferences, lookarounds), the backtracking engine with a
/// per-packet timeout, a timed-out packet counting as no match (<see cref="RegexTimeouts"/>).
/// </para>
/// Matching allocates nothing; thread-safe (counters aside).
/// </summary>
public sealed class PayloadMatcher
{
    /// <summary>Per-packet limit of the backtracking engine.</summary>
    public static readonly TimeSpan BacktrackingTimeout = TimeSpan.FromMilliseconds(10);

    private const int StackCharLimit = 512;

    private readonly Test[] _tests;
    private long _regexTimeouts;

    private PayloadMatcher(Test[] tests, PayloadMatchCombination combination)
    {
        _tests = tests;
        Combination = combination;
    }

    public PayloadMatchCombination Combination { get; }

    /// <summary>Number of tests; a matcher with none accepts every packet.</summary>
    public int Count => _tests.Length;

    /// <summary>Packets a backtracking regex gave up on (counted as no match).</summary>
    public long RegexTimeouts => Interlocked.Read(ref _regexTimeouts);

    /// <summary>Builds the tests.</summary>
    /// <exception cref="FormatException">Bad hex.</exception>
    /// <exception cref="ArgumentException">A regex that does not parse (the message is .NET's).</exception>
    public static PayloadMatcher Create(IEnumerable<PayloadMatchSpec> specs, PayloadMatchCombination combination = PayloadMatchCombination.All)
    {
        ArgumentNullException.ThrowIfNull(specs);
        return new PayloadMatcher([.. specs.Select(Build)], combination);
    }

    /// <summary>Walks the headers of <paramref name="frame"/> and tests its payload. A frame with no payload located matches only an empty matcher.</summary>
    public bool IsMatch(ReadOnlySpan<byte> frame, bool hasVlanTagInMeta)
    {
        if (_tests.Length == 0)
        {
            return true;
        }

        PacketHeaders.TryParse(frame, hasVlanTagInMeta, out PacketLayout layout);
        return layout.PayloadKind != PayloadKind.None && IsPayloadMatch(layout.Payload(frame));
    }

    /// <summary>Tests an already located payload.</summary>
    public bool IsPayloadMatch(ReadOnlySpan<byte> payload)
    {
        if (_tests.Length == 0)
        {
            return true;
        }

        bool any = Combination == PayloadMatchCombination.Any;
        foreach (Test t in _tests)
        {
            if (Matches(t, payload) == any)
            {
                return any;
            }
        }

        return !any;
    }

    private bool Matches(Test t, ReadOnlySpan<byte> payload)
    {
        if (t.Offset is int offset)
        {
            if (offset > payload.Length)
            {
                return false;
            }

            payload = payload[offset..];
        }

        if (t.Regex is null)
        {
            return t.Offset is null ? payload.IndexOf(t.Bytes) >= 0 : payload.StartsWith(t.Bytes);
        }

        char[]? rented = null;
        Span<char> chars = payload.Length <= StackCharLimit
            ? stackalloc char[StackCharLimit]
            : (rented = ArrayPool<char>.Shared.Rent(payload.Length));
        try
        {
            chars = chars[..Encoding.Latin1.GetChars(payload, chars)];
            return t.Regex.IsMatch(chars);
        }
        catch (RegexMatchTimeoutException)
        {
            Interlocked.Increment(ref _regexTimeouts);
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static Test Build(PayloadMatchSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind != PayloadMatchKind.Regex)
        {
            return new Test(spec.Bytes(), null, spec.Offset);
        }

        // At an offset the match must start there: anchor at the start of the slice.
        string pattern = spec.Offset is null ? spec.Pattern : $"^(?:{spec.Pattern})";
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException)
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, BacktrackingTimeout);
        }

        return new Test([], regex, spec.Offset);
    }

    private sealed record Test(byte[] Bytes, Regex? Regex, int? Offset);
}
