using RemapDaemon.Cli;

namespace RemapDaemon.Tests.Fleet;

/// <summary>The times fleet find/extract take, as remapd query takes them.</summary>
public sealed class TimeArgumentsTests
{
    private static readonly DateTime Now = new(2026, 12, 6, 14, 2, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("2026-12-06T14:02:00Z", 1_796_565_720_000_000_000UL)]
    [InlineData("2026-12-06T14:02:00", 1_796_565_720_000_000_000UL)]
    [InlineData("2026-12-06T15:02:00+01:00", 1_796_565_720_000_000_000UL)]
    [InlineData("1796565720.5", 1_796_565_720_500_000_000UL)]
    [InlineData("now", 1_796_565_720_000_000_000UL)]
    [InlineData("10m ago", 1_796_565_120_000_000_000UL)]
    [InlineData("2h ago", 1_796_558_520_000_000_000UL)]
    public void A_time_is_rfc3339_epoch_seconds_or_relative(string text, ulong ns)
    {
        TimeArguments.Time(text, Now).Should().Be(ns);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("10 parsecs ago")]
    [InlineData("")]
    public void Anything_else_is_not_a_time(string text)
    {
        TimeArguments.Time(text, Now).Should().BeNull();
    }

    [Fact]
    public void A_time_prints_as_rfc3339_utc_with_nanoseconds()
    {
        TimeArguments.Format(1_796_565_720_000_000_001).Should().Be("2026-12-06T14:02:00.000000001Z");
    }
}
