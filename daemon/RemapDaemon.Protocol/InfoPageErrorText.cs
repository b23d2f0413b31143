namespace RemapDaemon.Protocol;

/// <summary>One line per <see cref="InfoPageError"/>, for logs and remapctl; constant strings, no allocation.</summary>
public static class InfoPageErrorText
{
    public static string Describe(InfoPageError e) => e switch
    {
        InfoPageError.None => "no error",
        InfoPageError.TooSmall => "window mapping is smaller than an info page plus pages_per_window data pages",
        InfoPageError.BadMagic => "info page magic is not SKBREMAP_INFO_MAGIC",
        InfoPageError.BadAbiVersion => "info page abi_version is not SKBREMAP_ABI_VERSION",
        InfoPageError.WrongWindow => "info page names another window than the one it was read from",
        InfoPageError.CountTooLarge => "info page count exceeds info_entries_max",
        InfoPageError.PagesUsedTooLarge => "info page pages_used exceeds pages_per_window",
        InfoPageError.EntryPageOutOfRange => "entry page is not below pages_per_window",
        InfoPageError.EntryOffsetOutOfRange => "entry offset is not below the page size",
        InfoPageError.EntryLengthOutOfRange => "entry offset + caplen runs past the window's data pages",
        InfoPageError.CaplenExceedsWirelen => "entry caplen exceeds wirelen",
        InfoPageError.CaplenExceedsSnaplen => "entry caplen exceeds the capture's snaplen",
        InfoPageError.EntryBeyondPagesUsed => "entry data lies past pages_used",
        InfoPageError.HeaderReservedNotZero => "info page header reserved field is not zero",
        InfoPageError.EntryReservedNotZero => "entry reserved field is not zero",
        InfoPageError.TruncatedFlagMismatch => "entry SKBREMAP_PKT_TRUNCATED disagrees with caplen < wirelen",
        InfoPageError.EntryEmpty => "entry caplen is 0",
        InfoPageError.ScatterNeedsMemory => "SCATTER packet in a window read without its memory",
        InfoPageError.SegmentsWithoutScatter => "entry segments is not 0 without SKBREMAP_PKT_SCATTER",
        InfoPageError.ScatterSegmentCount => "SCATTER segments is not in 2..SKBREMAP_MAX_SEGMENTS or runs past count",
        InfoPageError.ScatterHeadNotEmpty => "SCATTER head page or offset is not 0",
        InfoPageError.SegmentOutOfPlace => "segment entry out of place",
        InfoPageError.SegmentFieldsNotZero => "segment entry field that must be 0 is not",
        InfoPageError.ScatterLengthMismatch => "SCATTER segments do not add up to the head's caplen",
        _ => "unknown info page error",
    };
}
