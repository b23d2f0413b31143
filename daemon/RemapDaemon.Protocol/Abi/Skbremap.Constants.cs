namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// The #defines of skbremap.h with their C names and C types (int for plain literals,
/// uint for 1U &lt;&lt; n). Use with <c>using static RemapDaemon.Protocol.Abi.Skbremap;</c>.
/// </summary>
public static partial class Skbremap
{
    public const int SKBREMAP_MAGIC = 0x52424b53;       // "SKBR" little-endian
    public const int SKBREMAP_INFO_MAGIC = 0x4f464e49;  // "INFO" little-endian
    public const int SKBREMAP_ABI_VERSION = 1;

    public const string SKBREMAP_DEVICE_NAME = "skbremap"; // /dev/skbremap

    // Limits a configuration is checked against (SKBREMAP_IOC_CONFIGURE).
    public const int SKBREMAP_MIN_WINDOWS = 2;
    public const int SKBREMAP_MAX_WINDOWS = 256;
    public const int SKBREMAP_MAX_PAGES_PER_WINDOW = 512;
    public const int SKBREMAP_MAX_INFO_PAGES = 64;
    public const int SKBREMAP_MAX_SNAPLEN = 262144;
    public const int SKBREMAP_MAX_RETIRE_USEC = 10000000;
    public const int SKBREMAP_MAX_QUEUE_LIMIT = 65536;
    public const int SKBREMAP_MAX_FILTER_INSNS = 4096;  // BPF_MAXINSNS

    // Defaults used for a field left 0 in skbremap_config.
    public const int SKBREMAP_DEF_WINDOWS = 16;
    public const int SKBREMAP_DEF_PAGES_PER_WINDOW = 64;
    public const int SKBREMAP_DEF_RETIRE_USEC = 10000;
    public const int SKBREMAP_DEF_QUEUE_LIMIT = 4096;

    // skbremap_version.features
    public const uint SKBREMAP_FEAT_BOUNCE = 1U << 0;
    public const uint SKBREMAP_FEAT_FILTER = 1U << 1;  // SKBREMAP_IOC_SET_FILTER
    public const uint SKBREMAP_FEAT_RING = 1U << 2;    // SKBREMAP_MODE_RING, PATH_RING
    public const uint SKBREMAP_FEAT_REMAP = 1U << 3;   // SKBREMAP_MODE_REMAP, PATH_REMAP
    public const uint SKBREMAP_FEAT_ADAPTIVE = 1U << 4; // SKBREMAP_MODE_ADAPTIVE, calibration
    public const uint SKBREMAP_FEAT_SCATTER = 1U << 5; // may publish SCATTER entries
    public const uint SKBREMAP_FEAT_INFO_PAGES = 1U << 6; // config.info_pages > 1
    public const uint SKBREMAP_FEAT_MEM_LIMIT = 1U << 7; // stats.drop_mem_limit, skb_bytes_held, mem_limit; global.skb_bytes_held

    // skbremap_config.mode
    public const int SKBREMAP_MODE_DEFAULT = 0;   // = ADAPTIVE where supported
    public const int SKBREMAP_MODE_BOUNCE = 1;
    public const int SKBREMAP_MODE_REMAP = 2;
    public const int SKBREMAP_MODE_RING = 3;
    public const int SKBREMAP_MODE_ADAPTIVE = 4;

    public const int SKBREMAP_RING_ALIGN = 16;              // RING: packet start alignment
    public const uint SKBREMAP_MAX_COPY_THRESHOLD = 1U << 24; // above every caplen: never remap
    public const int SKBREMAP_MAX_SEGMENTS = 64;            // segment entries of one SCATTER packet

    // skbremap_win_ctl.status
    public const int SKBREMAP_WIN_KERNEL = 0;    // (k) kernel owns it (free or filling)
    public const int SKBREMAP_WIN_READY = 1;     // (k) published: user space owns it
    public const int SKBREMAP_WIN_RELEASED = 2;  // (u) user space is done with it

    // skbremap_info_hdr.flags
    public const uint SKBREMAP_INFO_RETIRED = 1U << 0;  // published part-full on timeout
    public const uint SKBREMAP_INFO_FLUSH = 1U << 1;    // published part-full on stop

    // skbremap_info_entry.path
    public const int SKBREMAP_PATH_BOUNCE = 1;   // copied into a zeroed pool page
    public const int SKBREMAP_PATH_REMAP = 2;    // the packet's own pages inserted
    public const int SKBREMAP_PATH_RING = 3;     // copied packed into ring pages mapped once

    // skbremap_info_entry.flags
    public const uint SKBREMAP_PKT_VLAN = 1U << 0;       // tag in metadata: put it back as libpcap does
    public const uint SKBREMAP_PKT_TRUNCATED = 1U << 1;  // caplen < wirelen
    public const uint SKBREMAP_PKT_SCATTER = 1U << 2;    // head: data in .segments entries that follow
    public const uint SKBREMAP_PKT_SEGMENT = 1U << 3;    // one run of a SCATTER packet's data

    public const int SKBREMAP_IOC_MAGIC = 0xbb;
}
