using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

/// <summary>
/// The top-level 'fleet' verb, for 'remapctl --help' only: Program hands 'remapctl fleet ...'
/// to the fleet's own verbs (<see cref="FleetStatusOptions"/> and the others), whose help is
/// 'remapctl fleet --help' and 'remapctl fleet VERB --help'.
/// </summary>
[Verb("fleet", HelpText = "The capture fleet on its NATS hub: 'remapctl fleet status|find|extract|config|start|stop ...'; 'remapctl fleet --help' lists them, 'remapctl fleet VERB --help' gives each one's options.")]
internal sealed class FleetOptions
{
    [Value(0, MetaName = "VERB", HelpText = "status, find, extract, config, start or stop, then its options.")]
    public IEnumerable<string> Arguments { get; set; } = [];
}
