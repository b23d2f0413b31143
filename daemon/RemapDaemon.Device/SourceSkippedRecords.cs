using System.Runtime.InteropServices;

namespace RemapDaemon.Device;

/// <summary>
/// struct skbremap_emu_source_skipped (tools/emulator/skbremap_emu.h): pcap records the
/// emulator's replay did not hand to its hook, by reason, since START. They hold no packet the
/// network stack could deliver, so skbremap never saw them: they are in no skbremap counter.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct SourceSkippedRecords
{
    /// <summary>caplen 0: no bytes at all.</summary>
    public ulong Empty;

    /// <summary>Fewer bytes than the record's link-layer header (a cooked capture's 16).</summary>
    public ulong ShortHeader;

    /// <summary>Longer, as an Ethernet frame, than the emulator's largest frame.</summary>
    public ulong TooLong;

    public readonly ulong Total => Empty + ShortHeader + TooLong;
}
