using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Device;

/// <summary>
/// The CUDA device emulated on the CPU: memory is host memory, kernels are the same .cu sources
/// compiled by g++ (libwan_emu.so, see kernels/emu/cuda_emu.h) and run synchronously, GEMMs go to
/// OpenBLAS with 16-bit storage rounding like cuBLAS. Constructing it loads the emulator library.
/// </summary>
public sealed unsafe class EmulatedDevice : IDevice
{
    private bool _disposed;

    public EmulatedDevice()
    {
        LibraryPath = EmulatorLibrary.LoadedPath;
    }

    public string Name => "emulated (g++ fibers)";

    /// <summary>Where the emulator library was loaded from (release or ASan build).</summary>
    public string LibraryPath { get; }

    public DeviceBuffer Allocate(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EmulatedBuffer.Allocate(this, bytes);
    }

    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        CheckRange(destination, destinationOffset, source.Length, "copy to device");
        source.CopyTo(new Span<byte>((byte*)destination.Address + destinationOffset, source.Length));
    }

    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        CheckRange(source, sourceOffset, destination.Length, "copy to host");
        new ReadOnlySpan<byte>((byte*)source.Address + sourceOffset, destination.Length).CopyTo(destination);
    }

    public void Memset(DeviceBuffer buffer, byte value)
    {
        CheckRange(buffer, 0, buffer.Bytes, "memset");
        NativeMemory.Fill((void*)buffer.Address, (nuint)buffer.Bytes, value);
    }

    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LaunchDimensions.Check(kernel, grid, block, dynamicSharedBytes);
        ReadOnlySpan<uint> g = [(uint)grid.X, (uint)grid.Y, (uint)grid.Z];
        ReadOnlySpan<uint> b = [(uint)block.X, (uint)block.Y, (uint)block.Z];
        var error = EmulatorLibrary.Launch(kernel, g, b, (uint)dynamicSharedBytes, args);
        if (error is not null)
        {
            throw new EmulatedLaunchException(kernel, error);
        }
    }

    public void Gemm(in GemmDesc gemm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EmulatedGemm.Run(gemm);
    }

    /// <summary>Launches and copies complete before they return: nothing is queued.</summary>
    public void Synchronize() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose() => _disposed = true;

    private void CheckRange(DeviceBuffer buffer, long offset, long length, string what)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer is not EmulatedBuffer emulated || !ReferenceEquals(buffer.Device, this))
        {
            throw new ArgumentException($"{what}: the buffer belongs to {buffer.Device.Name}, not to this emulated device");
        }
        ObjectDisposedException.ThrowIf(emulated.IsFreed, buffer);
        if (offset < 0 || length < 0 || offset + length > buffer.Bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{what}: bytes [{offset}, {offset + length}) outside a buffer of {buffer.Bytes} bytes");
        }
    }
}
