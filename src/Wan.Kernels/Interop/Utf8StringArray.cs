using System.Runtime.InteropServices;
using System.Text;

namespace Wan.Kernels.Interop;

/// <summary>A native <c>const char* const*</c> of NUL-terminated UTF-8 strings, freed on Dispose.</summary>
internal sealed unsafe class Utf8StringArray : IDisposable
{
    private readonly byte** _pointers;
    private readonly int _count;

    public Utf8StringArray(IReadOnlyList<string> strings)
    {
        _count = strings.Count;
        _pointers = (byte**)NativeMemory.AllocZeroed((nuint)Math.Max(_count, 1), (nuint)sizeof(byte*));
        for (var i = 0; i < _count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(strings[i]);
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            p[bytes.Length] = 0;
            _pointers[i] = p;
        }
    }

    public byte** Pointers => _pointers;

    public int Count => _count;

    public byte* this[int index] => _pointers[index];

    public void Dispose()
    {
        for (var i = 0; i < _count; i++)
        {
            NativeMemory.Free(_pointers[i]);
        }
        NativeMemory.Free(_pointers);
    }
}
