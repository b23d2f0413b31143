namespace RemapDaemon.Protocol.Abi;

/// <summary>
/// The SKBREMAP_IOC_* request numbers, computed like asm-generic/ioctl.h (x86-64, arm64):
/// dir in bits 30-31, size in 16-29, type in 8-15, nr in 0-7. The size is the C# struct's,
/// so a layout mistake shows up as a wrong number too (AbiLayoutTests compares both with C).
/// </summary>
public static unsafe partial class Skbremap
{
    public const uint _IOC_NONE = 0;
    public const uint _IOC_WRITE = 1;
    public const uint _IOC_READ = 2;

    private const int IocNrShift = 0;
    private const int IocTypeShift = 8;
    private const int IocSizeShift = 16;
    private const int IocDirShift = 30;
    private const uint IocSizeMask = (1U << 14) - 1;

    public static readonly uint SKBREMAP_IOC_VERSION = _IOR<skbremap_version>(SKBREMAP_IOC_MAGIC, 0x00);
    public static readonly uint SKBREMAP_IOC_CONFIGURE = _IOW<skbremap_config>(SKBREMAP_IOC_MAGIC, 0x01);
    public static readonly uint SKBREMAP_IOC_LAYOUT = _IOR<skbremap_layout>(SKBREMAP_IOC_MAGIC, 0x02);
    public static readonly uint SKBREMAP_IOC_BIND = _IOW<skbremap_bind>(SKBREMAP_IOC_MAGIC, 0x03);
    public static readonly uint SKBREMAP_IOC_START = _IO(SKBREMAP_IOC_MAGIC, 0x04);
    public static readonly uint SKBREMAP_IOC_STOP = _IO(SKBREMAP_IOC_MAGIC, 0x05);
    public static readonly uint SKBREMAP_IOC_STATS = _IOR<skbremap_stats>(SKBREMAP_IOC_MAGIC, 0x06);
    public static readonly uint SKBREMAP_IOC_GLOBAL = _IOR<skbremap_global>(SKBREMAP_IOC_MAGIC, 0x07);
    public static readonly uint SKBREMAP_IOC_CAPTURES = _IOWR<skbremap_capture_info>(SKBREMAP_IOC_MAGIC, 0x08);
    public static readonly uint SKBREMAP_IOC_SET_FILTER = _IOW<skbremap_filter>(SKBREMAP_IOC_MAGIC, 0x09);

    public static uint _IOC(uint dir, uint type, uint nr, uint size)
    {
        // The kernel macro would silently truncate; a struct that outgrew 14 bits is a bug here.
        if (size > IocSizeMask)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "ioctl argument larger than 14 bits");
        }

        return (dir << IocDirShift) | (size << IocSizeShift) | ((type & 0xff) << IocTypeShift) | ((nr & 0xff) << IocNrShift);
    }

    public static uint _IO(int type, int nr) => _IOC(_IOC_NONE, (uint)type, (uint)nr, 0);

    public static uint _IOR<T>(int type, int nr) where T : unmanaged => _IOC(_IOC_READ, (uint)type, (uint)nr, (uint)sizeof(T));

    public static uint _IOW<T>(int type, int nr) where T : unmanaged => _IOC(_IOC_WRITE, (uint)type, (uint)nr, (uint)sizeof(T));

    public static uint _IOWR<T>(int type, int nr) where T : unmanaged => _IOC(_IOC_READ | _IOC_WRITE, (uint)type, (uint)nr, (uint)sizeof(T));
}
