using RemapDaemon.Filtering;


namespace RemapDaemon.Tests.Filtering;

/// <summary>Payload selection on the crafted frames: bytes, strings and regexes, at an offset or anywhere.</summary>
public sealed class PayloadMatcherTests
{
    private static readonly IReadOnlyList<CraftedFrame> Crafted = CraftedFrames.All();

    private static string[] Selected(params PayloadMatchSpec[] specs) => Selected(PayloadMatchCombination.All, specs);

    private static string[] Selected(PayloadMatchCombination combination, params PayloadMatchSpec[] specs)
    {
        PayloadMatcher m = PayloadMatcher.Create(specs, combination);
        return [.. Crafted.Where(f => m.IsMatch(f.Data, hasVlanTagInMeta: false)).Select(f => f.Name)];
    }

    private static PayloadMatchSpec Hex(string text) => PayloadMatchSpec.Parse(PayloadMatchKind.Hex, text);

    private static PayloadMatchSpec Str(string text) => PayloadMatchSpec.Parse(PayloadMatchKind.String, text);

    private static PayloadMatchSpec Re(string text) => PayloadMatchSpec.Parse(PayloadMatchKind.Regex, text);

    [Fact]
    public void A_string_at_offset_0_selects_the_http_requests_over_ipv4_ipv6_and_vlan()
    {
        Selected(Str("GET@0")).Should().Equal("tcp-http-10.0.0.1->10.0.0.2:80", "vlan-200-tcp-80", "ipv6-tcp-ack-80-payload");
    }

    [Fact]
    public void A_string_anywhere_finds_it_past_the_start()
    {
        Selected(Str("HTTP/1.1")).Should().Equal("tcp-http-10.0.0.1->10.0.0.2:80", "ipv6-tcp-ack-80-payload");
        Selected(Str("HTTP/1.1@0")).Should().BeEmpty();
        Selected(Str("HTTP/1.1@16")).Should().Equal("tcp-http-10.0.0.1->10.0.0.2:80");
    }

    [Fact]
    public void Hex_bytes_match_at_an_offset_or_anywhere_in_any_of_the_accepted_spellings()
    {
        Selected(Hex("de ad be ef")).Should().Equal("udp-1500-magic-deadbeef");
        Selected(Hex("deadbeef@0")).Should().Equal("udp-1500-magic-deadbeef");
        Selected(Hex("0xca,0xfe@8")).Should().Equal("udp-1500-magic-deadbeef");
        Selected(Hex("ca:fe@7")).Should().BeEmpty();
        Selected(Hex("12 34@0")).Should().Equal("udp-dns-10.0.0.1->8.8.8.8:53", "ipv6-udp-fe80->ff02");
    }

    [Fact]
    public void The_payload_is_found_behind_ipv4_options_ipv6_extension_headers_and_ah()
    {
        Selected(Str("ip options@0")).Should().Equal("udp-ipv4-options-rr");
        Selected(Str("after hop-by-hop@0")).Should().Equal("ipv6-hbh-dstopts-udp");
        Selected(Str("routed@0")).Should().Equal("ipv6-routing-tcp-syn");
        Selected(Str("authenticated@0")).Should().Equal("ipv6-ah-tcp");
        Selected(Str("q-in-q@0")).Should().Equal("qinq-100-200-udp");
    }

    [Fact]
    public void Ethernet_padding_is_never_matched()
    {
        // The tiny frame's payload is "x" followed by zero padding to 60 bytes.
        Selected(Hex("78 00")).Should().BeEmpty();
        Selected(Str("x@0")).Should().Contain("udp-tiny-padded-to-60");
    }

    [Fact]
    public void A_regex_matches_anywhere_or_anchored_at_its_offset()
    {
        Selected(Re(@"^(GET|POST) /\S*")).Should().Equal("tcp-http-10.0.0.1->10.0.0.2:80", "vlan-200-tcp-80", "ipv6-tcp-ack-80-payload");
        Selected(Re(@"Host: \w+")).Should().Equal("tcp-http-10.0.0.1->10.0.0.2:80");
        Selected(Re(@"SSH-2\.0-[A-Za-z]+@0")).Should().Equal("tcp-22-172.16.0.5->192.168.1.1");
        Selected(Re(@"OpenSSH@0")).Should().BeEmpty("at an offset the match must start there");
        Selected(Re(@"OpenSSH@8")).Should().Equal("tcp-22-172.16.0.5->192.168.1.1");
    }

    [Fact]
    public void A_regex_sees_bytes_as_latin1_so_escapes_address_any_byte()
    {
        Selected(Re(@"\xde\xad\xbe\xef")).Should().Equal("udp-1500-magic-deadbeef");
        Selected(Re(@"\x07example\x03com\x00")).Should().Equal("udp-dns-10.0.0.1->8.8.8.8:53");
    }

    [Fact]
    public void A_regex_the_linear_engine_cannot_run_falls_back_to_backtracking_with_a_timeout()
    {
        // A backreference: not supported by RegexOptions.NonBacktracking.
        string[] doubled = Selected(Re(@"(\w)\1"));

        doubled.Should().Contain("tcp-22-172.16.0.5->192.168.1.1", "'SSH' doubles the S");
        doubled.Should().Contain("tcp-http-10.0.0.1->10.0.0.2:80", "'HTTP' doubles the T");
        doubled.Should().NotContain("qinq-100-200-udp", "'q-in-q' doubles nothing");
    }

    [Fact]
    public void Several_tests_combine_with_all_by_default_or_any()
    {
        Selected(Str("GET@0"), Str("Host")).Should().Equal("tcp-http-10.0.0.1->10.0.0.2:80");
        Selected(PayloadMatchCombination.Any, Str("SSH@0"), Hex("de ad")).Should().Equal("tcp-22-172.16.0.5->192.168.1.1", "udp-1500-magic-deadbeef");
    }

    [Fact]
    public void An_offset_past_the_payload_never_matches_and_an_empty_matcher_accepts_all()
    {
        Selected(Hex("00@100000")).Should().BeEmpty();
        PayloadMatcher.Create([]).IsMatch([1, 2, 3], false).Should().BeTrue();
    }

    [Fact]
    public void A_frame_without_a_payload_matches_nothing()
    {
        CraftedFrame cut = Crafted.Single(f => f.Name == "tcp-truncated-inside-header");

        PayloadMatcher.Create([Re(".*")]).IsMatch(cut.Data, false).Should().BeFalse();
        PayloadMatcher.Create([Re(".*")]).IsMatch(Crafted[1].Data, false).Should().BeTrue("an empty TCP payload is still a payload");
    }

    [Fact]
    public void Non_ip_frames_are_matched_after_the_ethernet_header()
    {
        Selected(Hex("00 01 08 00 06 04@0")).Should().Equal("arp-who-has-10.0.0.2");
    }

    [Theory]
    [InlineData(PayloadMatchKind.Hex, "de ad be e")]
    [InlineData(PayloadMatchKind.Hex, "zz")]
    [InlineData(PayloadMatchKind.Hex, "@4")]
    [InlineData(PayloadMatchKind.String, "")]
    [InlineData(PayloadMatchKind.String, "GET@99999999999")]
    public void Bad_specs_are_format_errors_naming_the_text(PayloadMatchKind kind, string text)
    {
        Action parse = () => PayloadMatchSpec.Parse(kind, text);

        parse.Should().Throw<FormatException>();
    }

    [Fact]
    public void A_bad_regex_is_an_argument_error_with_dotnets_message()
    {
        Action create = () => PayloadMatcher.Create([Re("(unclosed")]);

        create.Should().Throw<ArgumentException>().WithMessage("*(unclosed*");
    }

    [Fact]
    public void The_offset_is_the_trailing_at_digits_only()
    {
        PayloadMatchSpec mail = Str("user@host");
        PayloadMatchSpec at = Str("user@host@12");

        (mail.Pattern, mail.Offset).Should().Be(("user@host", (int?)null));
        (at.Pattern, at.Offset).Should().Be(("user@host", (int?)12));
    }

    [Fact]
    public void Matching_allocates_nothing_for_bytes_and_regexes_small_and_jumbo()
    {
        PayloadMatcher m = PayloadMatcher.Create([Str("GET@0"), Re(@"HTTP/1\.[01]"), Hex("0d 0a 0d 0a")]);
        PayloadMatcher big = PayloadMatcher.Create([Re(@"\xff\xfe\xfd")]);
        byte[] http = Crafted[0].Data;
        byte[] jumbo = TestFrames.Eth(0x0800, TestFrames.Ipv4("10.0.0.1", "10.0.0.2", 17, TestFrames.Udp(1, 2, TestFrames.Payload(8000))));
        m.IsMatch(http, false).Should().BeTrue();

        // Warm-up: the regex engines build their matching state lazily and tiered JIT swaps
        // code in; what must allocate nothing is the steady state, packet after packet.
        for (int i = 0; i < 5_000; i++)
        {
            m.IsMatch(http, false);
            big.IsMatch(jumbo, false);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int hits = 0;
        for (int i = 0; i < 20_000; i++)
        {
            hits += m.IsMatch(http, false) ? 1 : 0;
            hits += big.IsMatch(jumbo, false) ? 1 : 0;
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        hits.Should().BeGreaterThanOrEqualTo(20_000);
    }
}
