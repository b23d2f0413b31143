namespace RemapDaemon.Protocol;

/// <summary>
/// Why an info page or one of its entries was refused. Everything in a window is written by
/// the kernel (or the emulator), but the daemon checks it as if it were hostile: a wrong value
/// must cost one window, never a read outside the mapping. Text: <see cref="InfoPageErrorText"/>.
/// </summary>
public enum InfoPageError
{
    None = 0,

    // The window as a whole (InfoPageReader.TryOpen).

    /// <summary>The window span is shorter than one info page plus pages_per_window data pages.</summary>
    TooSmall,

    /// <summary>skbremap_info_hdr.magic is not SKBREMAP_INFO_MAGIC.</summary>
    BadMagic,

    /// <summary>skbremap_info_hdr.abi_version is not SKBREMAP_ABI_VERSION.</summary>
    BadAbiVersion,

    /// <summary>skbremap_info_hdr.window is not the index of the window it was found in.</summary>
    WrongWindow,

    /// <summary>skbremap_info_hdr.count is larger than info_entries_max.</summary>
    CountTooLarge,

    /// <summary>skbremap_info_hdr.pages_used is larger than pages_per_window.</summary>
    PagesUsedTooLarge,

    // One entry (InfoPageReader.TryReadNext).

    /// <summary>skbremap_info_entry.page is not below pages_per_window.</summary>
    EntryPageOutOfRange,

    /// <summary>skbremap_info_entry.offset is not below the page size.</summary>
    EntryOffsetOutOfRange,

    /// <summary>offset + caplen runs past the last data page of the window.</summary>
    EntryLengthOutOfRange,

    /// <summary>caplen is larger than wirelen.</summary>
    CaplenExceedsWirelen,

    /// <summary>caplen is larger than the capture's snaplen.</summary>
    CaplenExceedsSnaplen,

    /// <summary>The packet's data starts or ends in a data page past pages_used.</summary>
    EntryBeyondPagesUsed,

    // Added after the first list: values only ever get appended.

    /// <summary>A reserved field of skbremap_info_hdr is not zero.</summary>
    HeaderReservedNotZero,

    /// <summary>A reserved field of skbremap_info_entry is not zero.</summary>
    EntryReservedNotZero,

    /// <summary>SKBREMAP_PKT_TRUNCATED disagrees with caplen &lt; wirelen.</summary>
    TruncatedFlagMismatch,

    /// <summary>caplen is 0: no packet is captured without a byte (snaplen is at least 1), and a zeroed entry looks like this.</summary>
    EntryEmpty,

    // SCATTER packets (issue 3).

    /// <summary>A SCATTER packet in a window opened from a span: its segments need the mapping as memory.</summary>
    ScatterNeedsMemory,

    /// <summary>skbremap_info_entry.segments is not zero on an entry without SKBREMAP_PKT_SCATTER.</summary>
    SegmentsWithoutScatter,

    /// <summary>A SCATTER head's segments is not in 2..SKBREMAP_MAX_SEGMENTS or runs past count.</summary>
    ScatterSegmentCount,

    /// <summary>A SCATTER head's page or offset is not 0.</summary>
    ScatterHeadNotEmpty,

    /// <summary>An entry flagged SKBREMAP_PKT_SEGMENT where a packet was expected, or a segment entry without that flag.</summary>
    SegmentOutOfPlace,

    /// <summary>A segment entry has a nonzero field that must be zero, or both SCATTER and SEGMENT.</summary>
    SegmentFieldsNotZero,

    /// <summary>The segments' caplens do not add up to the head's caplen.</summary>
    ScatterLengthMismatch,
}
