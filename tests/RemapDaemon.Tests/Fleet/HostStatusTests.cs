using RemapDaemon.Fleet.Hub;
using RemapDaemon.Fleet.Messages;

namespace RemapDaemon.Tests.Fleet;

/// <summary>fleet status's row of a remapd-alive value: alive while younger than three of the host's intervals.</summary>
public sealed class HostStatusTests
{
    private const ulong Now = 1_800_000_000_000_000_000;
    private const ulong Second = 1_000_000_000;

    [Theory]
    [InlineData(5, 0, true)]
    [InlineData(5, 14, true)]
    [InlineData(5, 15, false)]
    [InlineData(60, 150, true)]
    [InlineData(0, 14, true)]
    [InlineData(0, 16, false)]
    public void A_host_is_alive_while_its_status_is_younger_than_three_intervals(ulong intervalSeconds, ulong ageSeconds, bool alive)
    {
        HostStatus s = HostStatus.Of("h1", Value(Now - (ageSeconds * Second), intervalSeconds * Second), Now);

        s.Alive.Should().Be(alive);
        s.Age.Should().Be(TimeSpan.FromSeconds(ageSeconds));
        s.Stats!.State.Should().Be("capturing");
        s.Error.Should().BeNull();
    }

    [Fact]
    public void A_status_from_a_clock_ahead_is_of_age_zero()
    {
        HostStatus.Of("h1", Value(Now + (10 * Second), 5 * Second), Now).Age.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_value_that_is_no_status_is_a_row_with_the_reason()
    {
        HostStatus s = HostStatus.Of("h1", "{\"host\":"u8, Now);

        s.Stats.Should().BeNull();
        s.Alive.Should().BeFalse();
        s.Error.Should().StartWith("remapd-alive h1: not a valid message");
    }

    private static byte[] Value(ulong timeNs, ulong intervalNs) => FleetCodec.Encode(
        new HostStats { Host = "h1", Run = "1-2", State = "capturing", Interface = "eth0", TimeNs = timeNs, IntervalNs = intervalNs },
        FleetJson.Default.HostStats);
}
