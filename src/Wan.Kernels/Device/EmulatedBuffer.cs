using System.Runtime.InteropServices;

namespace Wan.Kernels.Device;

/// <summary>
/// Emulated device memory: an aligned host allocation; the address is a host pointer. Fresh memory is
/// filled with 0xFF bytes (NaN in fp32, bf16 and fp16) so a kernel that leaves outputs unwritten shows.
/// The device tracks its live buffers (a multi-schedule launch compares them all). Freed while a
/// capture is open (by a finalizer or another thread), the memory is released when the capture ends.
/// </summary>
internal sealed unsafe class EmulatedBuffer : DeviceBuffer
{
    private const int Alignment = 256; // cudaMalloc's alignment: kernels may rely on it for vector loads

    private readonly EmulatedDevice _device;
    private int _freed;

    private EmulatedBuffer(EmulatedDevice device, void* memory, long bytes)
        : base(device, (ulong)memory, bytes)
    {
        _device = device;
    }

    ~EmulatedBuffer() => Dispose(false);

    public bool IsFreed => Volatile.Read(ref _freed) != 0;

    public static EmulatedBuffer Allocate(EmulatedDevice device, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var memory = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), Alignment);
        NativeMemory.Fill(memory, (nuint)bytes, 0xFF);
        var buffer = new EmulatedBuffer(device, memory, bytes);
        device.Track(buffer.Address, bytes);
        return buffer;
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
        {
            _device.Forget(Address);
            var address = Address;
            if (!_device.Gate.TryDefer(() => NativeMemory.AlignedFree((void*)address)))
            {
                NativeMemory.AlignedFree((void*)address);
            }
        }
    }
}
