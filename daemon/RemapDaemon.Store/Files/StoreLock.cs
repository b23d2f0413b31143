using Microsoft.Win32.SafeHandles;
using RemapDaemon.Store.Interop;

namespace RemapDaemon.Store;

/// <summary>
/// An flock(2) on a lock file of the store: <see cref="Store"/> (exclusive, waited for) around a
/// deletion pass or recovery, so captures sharing the store never delete or recover at the
/// same time; <see cref="TryWriter"/> (exclusive, not waited for) for a capture's whole life, so
/// two captures never write under one name and recovery knows whose part files are orphans.
/// The kernel drops the lock when the process dies, kill -9 included.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly SafeFileHandle _file;

    private StoreLock(SafeFileHandle file) => _file = file;

    public static StoreLock Store(string directory)
    {
        SafeFileHandle file = File.OpenHandle(Path.Combine(directory, StoreFileName.StoreLock), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            FileSystem.TryLock(file, exclusive: true, wait: true);
            return new StoreLock(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The writer lock of capture <paramref name="capture"/>; null when a live capture holds it.</summary>
    public static StoreLock? TryWriter(string directory, string capture)
    {
        SafeFileHandle file = File.OpenHandle(Path.Combine(directory, StoreFileName.WriterLock(capture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            if (FileSystem.TryLock(file, exclusive: true, wait: false))
            {
                return new StoreLock(file);
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }

        file.Dispose();
        return null;
    }

    public void Dispose() => _file.Dispose();
}
