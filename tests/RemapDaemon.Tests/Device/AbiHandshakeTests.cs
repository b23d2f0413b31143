using RemapDaemon.Cli;
using RemapDaemon.Device;
using RemapDaemon.Device.Errors;
using RemapDaemon.Protocol;
using RemapDaemon.Protocol.Abi;
using static RemapDaemon.Protocol.Abi.Skbremap;

namespace RemapDaemon.Tests.Device;

/// <summary>
/// SKBREMAP_IOC_VERSION is the first call and the only one made before the ABI is known to
/// match: a backend that answers another magic or version stops everything with exit code 5.
/// </summary>
public sealed class AbiHandshakeTests
{
    [Fact]
    public void The_version_this_build_speaks_is_accepted()
    {
        using var backend = new VersionOnlyBackend(SKBREMAP_MAGIC, SKBREMAP_ABI_VERSION);

        skbremap_version v = backend.CheckVersion();

        v.abi_version.Should().Be(SKBREMAP_ABI_VERSION);
        backend.Calls.Should().Equal(SKBREMAP_IOC_VERSION);
    }

    [Fact]
    public void Another_abi_version_throws_AbiVersionMismatch_with_exit_code_5_and_nothing_else_is_called()
    {
        using var backend = new VersionOnlyBackend(SKBREMAP_MAGIC, SKBREMAP_ABI_VERSION + 1);

        Action check = () => backend.CheckVersion();

        check.Should().Throw<AbiVersionMismatchException>()
            .Which.Should().Match<AbiVersionMismatchException>(e =>
                ExitCodes.Of(e) == ExitCode.AbiVersionMismatch && e.AbiVersion == SKBREMAP_ABI_VERSION + 1
                && e.Message.Contains("ABI version 2, this build speaks ABI version 1"));
        backend.Calls.Should().Equal(SKBREMAP_IOC_VERSION);
    }

    [Fact]
    public void A_wrong_magic_is_reported_as_not_skbremap()
    {
        using var backend = new VersionOnlyBackend(0x12345678, SKBREMAP_ABI_VERSION);

        Action check = () => backend.CheckVersion();

        check.Should().Throw<AbiVersionMismatchException>().WithMessage("*bad magic 0x12345678*not skbremap*");
    }

    [Fact]
    public void Exit_codes_are_the_documented_numbers()
    {
        ((int)ExitCode.Ok).Should().Be(0);
        ((int)ExitCode.RuntimeError).Should().Be(1);
        ((int)ExitCode.Usage).Should().Be(2);
        ((int)ExitCode.NoDevice).Should().Be(3);
        ((int)ExitCode.NoPermission).Should().Be(4);
        ((int)ExitCode.AbiVersionMismatch).Should().Be(5);
        ((int)ExitCode.UnknownInterface).Should().Be(6);
    }

    /// <summary>A backend that only answers SKBREMAP_IOC_VERSION, and records every ioctl.</summary>
    private sealed class VersionOnlyBackend(int magic, int abiVersion) : ICaptureBackend
    {
        public List<uint> Calls { get; } = [];

        public BackendKind Kind => BackendKind.Emulator;

        public string Name => "fake";

        public bool HasFiniteSource => false;

        public bool SourceDone => false;

        public unsafe int Ioctl(uint cmd, void* arg)
        {
            Calls.Add(cmd);
            if (cmd != SKBREMAP_IOC_VERSION)
            {
                return -25; // ENOTTY
            }

            *(skbremap_version*)arg = new skbremap_version { magic = (uint)magic, abi_version = (uint)abiVersion, page_size = 4096 };
            return 0;
        }

        public SafeMappingHandle Map(ulong offset, ulong length, bool writable) => throw new NotSupportedException();

        public bool Poll(int timeoutMs) => false;

        public void SetSource(string spec)
        {
        }

        public void Dispose()
        {
        }
    }
}
