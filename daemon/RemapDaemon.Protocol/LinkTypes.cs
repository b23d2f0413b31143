namespace RemapDaemon.Protocol;

/// <summary>
/// The link-layer header types (tcpdump.org's LINKTYPE_* list) of the frames skbremap hands
/// over: what the file writers record and what a tcpdump filter is compiled for.
/// </summary>
public static class LinkTypes
{
    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const uint Ethernet = 1;
}
