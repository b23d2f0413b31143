using RemapDaemon.Filtering;
using RemapDaemon.Store.Index;

namespace RemapDaemon.Fleet.Hub;

/// <summary>
/// A tcpdump filter expression compiled once per link type (libpcap compiles for one), with
/// the <see cref="FlowMatcher"/> that tells from a flow's key whether it may match.
/// </summary>
public sealed class FleetFilter
{
    /// <summary>libpcap's MAXIMUM_SNAPLEN, as the store's query compiles with.</summary>
    private const int Snaplen = 262144;

    private const int LinkTypeEthernet = 1;

    private readonly Dictionary<uint, FlowMatcher> _matchers = [];

    /// <summary>Compiles <paramref name="expression"/> for Ethernet at once, so a bad one fails before anything is read.</summary>
    /// <exception cref="FleetUsageException">libpcap refuses the expression ("filter 'X': libpcap's message").</exception>
    public FleetFilter(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        Expression = expression;
        MatcherFor(LinkTypeEthernet);
    }

    /// <summary>The expression as given ("" = every packet).</summary>
    public string Expression { get; }

    /// <summary>Whether a flow of <paramref name="key"/> in a capture of <paramref name="linkType"/> may hold a matching packet.</summary>
    /// <exception cref="FleetUsageException">The expression does not compile for that link type.</exception>
    public bool MayMatch(uint linkType, in FlowKey key) => Expression.Length == 0 || MatcherFor(linkType).MayMatch(key);

    private FlowMatcher MatcherFor(uint linkType)
    {
        if (!_matchers.TryGetValue(linkType, out FlowMatcher? matcher))
        {
            try
            {
                matcher = new FlowMatcher(BpfProgram.Compile(Expression, (int)linkType, Snaplen));
            }
            catch (BpfCompileException e)
            {
                throw new FleetUsageException($"filter '{Expression}': {e.Message}", e);
            }

            _matchers[linkType] = matcher;
        }

        return matcher;
    }
}
