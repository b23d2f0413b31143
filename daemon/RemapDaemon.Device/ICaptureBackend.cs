using RemapDaemon.Protocol;

namespace RemapDaemon.Device;

/// <summary>
/// One capture of skbremap, reached either through /dev/skbremap or through the emulator
/// library. Both speak the same ABI; only the calls differ. Disposing closes the capture
/// (the module or emulator then returns every page and skb); dispose every mapping first.
/// </summary>
public interface ICaptureBackend : IDisposable
{
    BackendKind Kind { get; }

    /// <summary>What was opened, for messages: "/dev/skbremap" or "libskbremap_emu.so".</summary>
    string Name { get; }

    /// <summary>ioctl(cmd, arg): 0 or a count on success, a negative errno on failure.</summary>
    unsafe int Ioctl(uint cmd, void* arg);

    /// <summary>mmap(offset, length) MAP_SHARED, read-only unless <paramref name="writable"/>.</summary>
    SafeMappingHandle Map(ulong offset, ulong length, bool writable);

    /// <summary>Wait up to <paramref name="timeoutMs"/> for a READY window; true if there is one.</summary>
    bool Poll(int timeoutMs);

    /// <summary>True when packets come from a source that ends (emulator pcap/synthetic).</summary>
    bool HasFiniteSource { get; }

    /// <summary>Choose the emulator's packet source; the kernel's source is the network stack.</summary>
    void SetSource(string spec);

    /// <summary>
    /// No more packets will be published: the emulator's finite source has ended (every packet
    /// it produced is published or counted as dropped), or the module ended the capture
    /// (POLLHUP: its interface went away). Never true for the emulator's afpacket source.
    /// </summary>
    bool SourceDone { get; }

    /// <summary>Records a replay did not hand to the hook, by reason (emulator pcap source; none elsewhere).</summary>
    SourceSkippedRecords SourceSkipped => default;
}
