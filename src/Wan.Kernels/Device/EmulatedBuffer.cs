using System.Runtime.InteropServices;

namespace Wan.Kernels.Device;

/// <summary>
/// Emulated device memory: an aligned host allocation; the address is a host pointer. Fresh memory is
/// filled with 0xFF bytes (NaN in fp32, bf16 and fp16) so a kernel that leaves outputs unwritten shows.
/// </summary>
internal sealed unsafe class EmulatedBuffer : DeviceBuffer
{
    private const int Alignment = 256; // cudaMalloc's alignment: kernels may rely on it for vector loads

    private int _freed;

    private EmulatedBuffer(EmulatedDevice device, void* memory, long bytes)
        : base(device, (ulong)memory, bytes)
    {
    }

    ~EmulatedBuffer() => Dispose(false);

    public bool IsFreed => Volatile.Read(ref _freed) != 0;

    public static EmulatedBuffer Allocate(EmulatedDevice device, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var memory = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), Alignment);
        NativeMemory.Fill(memory, (nuint)bytes, 0xFF);
        return new EmulatedBuffer(device, memory, bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
        {
            NativeMemory.AlignedFree((void*)Address);
        }
    }
}
