using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>
/// The one libc call we need: telling the kernel that pages of a read-only file mapping are no
/// longer needed, so they leave this process's resident set (they stay in the page cache and fault
/// back in on the next read; file-backed data is never lost).
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc.so.6";
    private const int MadvDontNeed = 4;

    [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(void* address, nuint length, int advice);

    /// <summary>
    /// madvise(MADV_DONTNEED) on the whole pages overlapping [start, start + length). Only for
    /// read-only file mappings: the range is widened to page boundaries, so neighbouring bytes of
    /// the same mapping are dropped too (and simply fault back in).
    /// </summary>
    public static void DropMappedPages(byte* start, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return;
        }
        long page = Environment.SystemPageSize;
        long first = (long)start & ~(page - 1);
        long end = ((long)start + length + page - 1) & ~(page - 1);
        if (Madvise((void*)first, (nuint)(end - first), MadvDontNeed) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new Win32Exception(errno, $"madvise(MADV_DONTNEED) of {end - first} bytes at 0x{first:x} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }
}
