using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using Wan.Kernels.Interop;

namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// A whole file mapped read-only. The file is opened once (following symbolic links, see
/// <see cref="LinkedFile"/>) and its size taken from the open handle, never from the path, so a
/// link and its target cannot disagree. Tensor streams read through the same handle.
/// </summary>
public sealed unsafe class MappedFileStorage : TensorStorage
{
    private readonly FileStream _file;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;

    private MappedFileStorage(string path, FileStream file, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePointer, long length)
        : base(basePointer, length, path)
    {
        _file = file;
        _map = map;
        _view = view;
    }

    /// <summary>The handle the file was opened with (reads of tensor ranges go through it).</summary>
    internal SafeFileHandle Handle => _file.SafeFileHandle;

    /// <summary>
    /// Opens and maps <paramref name="path"/>. Throws <see cref="FileNotFoundException"/> naming the path
    /// (and, for a dangling symbolic link, its target), or <see cref="IOException"/> when it cannot be mapped.
    /// </summary>
    public static MappedFileStorage Open(string path, string what)
    {
        var file = LinkedFile.OpenRead(path, what);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            var length = file.Length;
            if (length == 0)
            {
                return new MappedFileStorage(path, file, null, null, null, 0);
            }
            map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            return new MappedFileStorage(path, file, map, view, pointer + view.PointerOffset, length);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            map?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the range with ordinary file reads, so streaming a big checkpoint does not grow the resident set.</summary>
    public override Stream OpenRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Location}: bytes [{offset}, {offset}+{length}) outside its {Length} bytes");
        }
        AddReference();
        return BoundedReadStream.OfFile(Handle, offset, length, Location, Release);
    }

    internal override void ReleasePages(byte* pointer, long length) => Libc.DropMappedPages(pointer, length);

    /// <summary>Unmaps the view and closes the file.</summary>
    protected override void Free()
    {
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
        _file.Dispose();
    }
}
