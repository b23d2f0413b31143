namespace RemapDaemon.Remapctl.Commands;

/// <summary>Disposes an <see cref="IAsyncDisposable"/> at the end of a synchronous using block.</summary>
internal readonly struct Disposer(IAsyncDisposable target) : IDisposable
{
    internal static Disposer Of(IAsyncDisposable target) => new(target);

    public void Dispose() => target.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
