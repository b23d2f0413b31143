using CommandLine;

namespace RemapDaemon.Remapctl.Cli;

[Verb("config", HelpText = "The desired configuration in the hub's remapd-config bucket (remapd.conf lines; a host's key overrides the 'all' key key by key): " +
    "'config set [--host H] KEY=VALUE...' sets keys (others kept), 'config get [--host H]' prints the text, 'config delete [--host H] [KEY...]' removes those keys, or the whole text when no KEY is given. " +
    "Without --host: the 'all' key. remapctl does not judge values: a host refuses a bad configuration and says so in 'fleet status'.")]
internal sealed class FleetConfigOptions : IFleetConnectionOptions
{
    [Option("server", MetaValue = "URLS", HelpText = IFleetConnectionOptions.ServerHelp)]
    public string? Server { get; set; }

    [Option("hub-domain", Default = "hub", MetaValue = "DOMAIN", HelpText = IFleetConnectionOptions.HubDomainHelp)]
    public string HubDomain { get; set; } = "hub";

    [Option("host", MetaValue = "HOST", HelpText = "The configuration of this host (key host.HOST).")]
    public string? Host { get; set; }

    [Option("all", Default = false, HelpText = "The configuration of every host (key all; the default).")]
    public bool All { get; set; }

    [Value(0, MetaName = "ACTION", Required = true, HelpText = "set, get or delete.")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "KEY=VALUE|KEY", HelpText = "set: KEY=VALUE pairs; delete: the keys to remove (none: the whole text).")]
    public IEnumerable<string> Arguments { get; set; } = [];
}
