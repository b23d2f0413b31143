using System.Runtime.InteropServices;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Tests.Protocol;

/// <summary>The hand-written test encoding agrees with the C layout (via the mirror gcc checks in AbiLayoutTests).</summary>
public sealed class InfoPageBuilderTests
{
    [Theory]
    [InlineData(nameof(skbremap_info_hdr.magic), InfoPageBuilder.HdrMagic)]
    [InlineData(nameof(skbremap_info_hdr.abi_version), InfoPageBuilder.HdrAbiVersion)]
    [InlineData(nameof(skbremap_info_hdr.seq), InfoPageBuilder.HdrSeq)]
    [InlineData(nameof(skbremap_info_hdr.count), InfoPageBuilder.HdrCount)]
    [InlineData(nameof(skbremap_info_hdr.pages_used), InfoPageBuilder.HdrPagesUsed)]
    [InlineData(nameof(skbremap_info_hdr.drops), InfoPageBuilder.HdrDrops)]
    [InlineData(nameof(skbremap_info_hdr.flags), InfoPageBuilder.HdrFlags)]
    [InlineData(nameof(skbremap_info_hdr.window), InfoPageBuilder.HdrWindow)]
    [InlineData(nameof(skbremap_info_hdr.reserved), InfoPageBuilder.HdrReserved)]
    public void Header_offsets_are_those_of_the_C_struct(string field, int offset)
    {
        Marshal.OffsetOf<skbremap_info_hdr>(field).Should().Be(offset);
        Marshal.SizeOf<skbremap_info_hdr>().Should().Be(InfoPageBuilder.HdrSize);
    }

    [Theory]
    [InlineData(nameof(skbremap_info_entry.page), InfoPageBuilder.EntPage)]
    [InlineData(nameof(skbremap_info_entry.offset), InfoPageBuilder.EntOffset)]
    [InlineData(nameof(skbremap_info_entry.caplen), InfoPageBuilder.EntCaplen)]
    [InlineData(nameof(skbremap_info_entry.wirelen), InfoPageBuilder.EntWirelen)]
    [InlineData(nameof(skbremap_info_entry.tstamp_ns), InfoPageBuilder.EntTstampNs)]
    [InlineData(nameof(skbremap_info_entry.ifindex), InfoPageBuilder.EntIfindex)]
    [InlineData(nameof(skbremap_info_entry.protocol), InfoPageBuilder.EntProtocol)]
    [InlineData(nameof(skbremap_info_entry.pkttype), InfoPageBuilder.EntPkttype)]
    [InlineData(nameof(skbremap_info_entry.path), InfoPageBuilder.EntPath)]
    [InlineData(nameof(skbremap_info_entry.vlan_tci), InfoPageBuilder.EntVlanTci)]
    [InlineData(nameof(skbremap_info_entry.vlan_proto), InfoPageBuilder.EntVlanProto)]
    [InlineData(nameof(skbremap_info_entry.flags), InfoPageBuilder.EntFlags)]
    [InlineData(nameof(skbremap_info_entry.segments), InfoPageBuilder.EntSegments)]
    [InlineData(nameof(skbremap_info_entry.reserved), InfoPageBuilder.EntReserved)]
    public void Entry_offsets_are_those_of_the_C_struct(string field, int offset)
    {
        Marshal.OffsetOf<skbremap_info_entry>(field).Should().Be(offset);
        Marshal.SizeOf<skbremap_info_entry>().Should().Be(InfoPageBuilder.EntSize);
    }
}
