using RemapDaemon.Store;

namespace RemapDaemon.Tests.Store;

public sealed class StoreFileNameTests
{
    [Fact]
    public void Names_carry_the_utc_start_to_the_nanosecond_and_the_capture_and_sort_by_time()
    {
        string name = StoreFileName.DataName(1_796_126_400_123_456_789, "eth0.100", ".pcap");
        name.Should().Be("20261201T120000.123456789Z-eth0.100.pcap");
        StoreFileName.TryParseData(name, out ulong start, out string capture).Should().BeTrue();
        start.Should().Be(1_796_126_400_123_456_789);
        capture.Should().Be("eth0.100");
        StoreFileName.TryParseData(StoreFileName.DataName(5, "a", ".pcapng", 2), out _, out string c2).Should().BeTrue();
        c2.Should().Be("a");
        string.CompareOrdinal(StoreFileName.DataName(999_999_999, "z", ".pcap"), StoreFileName.DataName(1_000_000_000, "a", ".pcap")).Should().BeNegative();
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData(".20261201T120000.123456789Z-eth0.pcap.part")]
    [InlineData("20261201T120000.123456789Z-eth0.pcap.idx")]
    [InlineData("20261201T120000Z-eth0.pcap")]
    [InlineData("20261301T120000.123456789Z-eth0.pcap")]
    public void Anything_else_is_not_a_capture_file_of_the_store(string name) =>
        StoreFileName.TryParseData(name, out _, out _).Should().BeFalse();

    [Theory]
    [InlineData("eth0", true)]
    [InlineData("member-a", true)]
    [InlineData("", false)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("a~1", false)]
    public void Capture_names_are_checked(string name, bool valid) =>
        StoreFileName.IsValidCaptureName(name).Should().Be(valid);
}
