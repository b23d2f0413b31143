namespace RemapDaemon.Filtering;

/// <summary>A filter expression libpcap could not compile; <see cref="Exception.Message"/> is libpcap's own text.</summary>
public sealed class BpfCompileException : Exception
{
    public BpfCompileException()
    {
    }

    public BpfCompileException(string message)
        : base(message)
    {
    }

    public BpfCompileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; init; } = string.Empty;
}
