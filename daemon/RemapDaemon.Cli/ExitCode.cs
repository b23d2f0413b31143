namespace RemapDaemon.Cli;

/// <summary>
/// Process exit codes shared by remapd and remapctl; documented in their --help.
/// Each setup failure has its own code so scripts (and the VM lane) can tell them apart.
/// </summary>
public enum ExitCode
{
    Ok = 0,
    RuntimeError = 1,
    Usage = 2,
    NoDevice = 3,
    NoPermission = 4,
    AbiVersionMismatch = 5,
    UnknownInterface = 6,
}
