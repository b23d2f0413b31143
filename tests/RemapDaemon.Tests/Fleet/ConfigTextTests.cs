using RemapDaemon.Fleet.Hub;

namespace RemapDaemon.Tests.Fleet;

/// <summary>fleet config set/delete edit remapd.conf text key by key.</summary>
public sealed class ConfigTextTests
{
    private const string Text = "# the fleet's defaults\nsnaplen = 128\nfilter = udp port 53\n\nrotate-size=64M\n";

    [Fact]
    public void Set_replaces_a_keys_line_in_place_appends_a_new_key_and_keeps_comments()
    {
        string after = ConfigText.Set(Text, [("filter", "tcp port 443"), ("interval", "10")]);

        after.Should().Be("# the fleet's defaults\nsnaplen = 128\nfilter = tcp port 443\n\nrotate-size=64M\ninterval = 10\n");
        ConfigText.Entries(after).Should().Equal(("snaplen", "128"), ("filter", "tcp port 443"), ("rotate-size", "64M"), ("interval", "10"));
    }

    [Fact]
    public void Set_leaves_one_line_of_a_key_written_twice()
    {
        ConfigText.Set("a = 1\nb = 2\na = 3\n", [("a", "4")]).Should().Be("a = 4\nb = 2\n");
        ConfigText.Set("", [("a", "1")]).Should().Be("a = 1\n");
    }

    [Fact]
    public void Remove_takes_out_only_the_keys_named()
    {
        ConfigText.Remove(Text, ["filter", "absent"]).Should().Be("# the fleet's defaults\nsnaplen = 128\n\nrotate-size=64M\n");
    }

    [Theory]
    [InlineData("snaplen=96", "snaplen", "96")]
    [InlineData(" filter = tcp and port 80 ", "filter", "tcp and port 80")]
    [InlineData("x=a=b", "x", "a=b")]
    [InlineData("empty=", "empty", "")]
    public void An_assignment_splits_at_its_first_equals_sign(string assignment, string key, string value)
    {
        ConfigText.ParseAssignment(assignment).Should().Be((key, value));
    }

    [Theory]
    [InlineData("snaplen")]
    [InlineData("=96")]
    [InlineData("two words=1")]
    [InlineData("#x=1")]
    public void Anything_but_key_equals_value_is_a_usage_error(string assignment)
    {
        Action parse = () => ConfigText.ParseAssignment(assignment);

        parse.Should().Throw<FleetUsageException>().WithMessage($"'{assignment}': not KEY=VALUE");
    }
}
