using RemapDaemon.Protocol;

namespace RemapDaemon.Device.Errors;

/// <summary>
/// SKBREMAP_IOC_VERSION answered with another magic or ABI version than the header this
/// build mirrors. Nothing else is called: a different ABI may lay out every struct differently.
/// </summary>
public sealed class AbiVersionMismatchException : SkbremapException
{
    public AbiVersionMismatchException(string backend, uint magic, uint expectedMagic, uint abiVersion, uint expectedAbiVersion)
        : base("SKBREMAP_IOC_VERSION", 0, magic != expectedMagic
            ? $"{backend}: bad magic 0x{magic:x8} (expected 0x{expectedMagic:x8}): not skbremap"
            : $"{backend}: ABI version {abiVersion}, this build speaks ABI version {expectedAbiVersion}")
    {
        Magic = magic;
        AbiVersion = abiVersion;
        ExpectedAbiVersion = expectedAbiVersion;
    }

    public uint Magic { get; }

    /// <summary>The version the backend announced.</summary>
    public uint AbiVersion { get; }

    /// <summary>The version this build was compiled against (SKBREMAP_ABI_VERSION).</summary>
    public uint ExpectedAbiVersion { get; }
}
