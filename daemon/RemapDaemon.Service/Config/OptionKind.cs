namespace RemapDaemon.Service.Config;

/// <summary>How a long option of remapd capture takes its value, and so how its configuration key does.</summary>
public enum OptionKind
{
    /// <summary>One value: <c>snaplen = 128</c> is <c>--snaplen=128</c>; given twice in a file is an error.</summary>
    Value,

    /// <summary>A switch: <c>quiet = yes</c> is <c>--quiet</c>; <c>no</c> leaves it out.</summary>
    Switch,

    /// <summary>Repeatable (the payload tests): each line is one more <c>--match-string=...</c>.</summary>
    Repeatable,
}
