using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Device;

/// <summary>
/// The CUDA device emulated on the CPU: memory is host memory, kernels are the same .cu sources
/// compiled by g++ (libwan_emu.so, see kernels/emu/cuda_emu.h) and run synchronously, GEMMs go to
/// OpenBLAS with 16-bit storage rounding like cuBLAS. Constructing it loads the emulator library.
/// <see cref="Capture"/> follows CUDA's stream-capture rules (see <see cref="IDevice.Capture"/>): the
/// capturing thread's launches and GEMMs are recorded, not run; other threads use the device directly.
/// </summary>
public sealed unsafe class EmulatedDevice : IDevice, IGraphCapturing
{
    private readonly object _captureLock = new();
    private bool _disposed;
    private EmulatedCapture? _capture;

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
        return Recording is { } capture ? capture.Memory.Allocate(bytes) : EmulatedBuffer.Allocate(this, bytes);
    }

    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        RejectWhileCapturing("copy to device");
        CheckRange(destination, destinationOffset, source.Length, "copy to device");
        source.CopyTo(new Span<byte>((byte*)destination.Address + destinationOffset, source.Length));
    }

    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        RejectWhileCapturing("copy to host");
        CheckRange(source, sourceOffset, destination.Length, "copy to host");
        new ReadOnlySpan<byte>((byte*)source.Address + sourceOffset, destination.Length).CopyTo(destination);
    }

    public void Memset(DeviceBuffer buffer, byte value)
    {
        RejectWhileCapturing("memset");
        CheckRange(buffer, 0, buffer.Bytes, "memset");
        NativeMemory.Fill((void*)buffer.Address, (nuint)buffer.Bytes, value);
    }

    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LaunchDimensions.Check(kernel, grid, block, dynamicSharedBytes);
        if (Recording is { } capture)
        {
            capture.Work.Add(new RecordedLaunch(kernel, grid, block, dynamicSharedBytes, args).Replay);
            capture.Kernels++;
            return;
        }
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
        gemm.Validate();
        if (Recording is { } capture)
        {
            var recorded = gemm;
            capture.Work.Add(() => EmulatedGemm.Run(recorded));
            capture.Gemms++;
            return;
        }
        EmulatedGemm.Run(gemm);
    }

    /// <summary>Launches and copies complete before they return: nothing is queued.</summary>
    public void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RejectWhileCapturing("synchronize");
    }

    public DeviceGraph Capture(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var memory = new CaptureArena(this, bytes => EmulatedBuffer.Allocate(this, bytes));
        var capture = new EmulatedCapture(memory);
        lock (_captureLock)
        {
            if (_capture is not null)
            {
                memory.Dispose();
                throw new InvalidOperationException($"{Name} is already capturing a graph (one capture at a time per device)");
            }
            _capture = capture;
        }
        try
        {
            work();
        }
        catch
        {
            _capture = null;
            memory.Dispose();
            throw;
        }
        _capture = null;
        memory.EndCapture();
        return new EmulatedGraph(capture.Work, memory, capture.Kernels, capture.Gemms);
    }

    public void Dispose() => _disposed = true;

    bool IGraphCapturing.TryAdopt(DeviceBuffer buffer)
    {
        if (buffer is GraphBuffer || Recording is not { } capture)
        {
            return false;
        }
        capture.Memory.Adopt(buffer);
        return true;
    }

    /// <summary>The capture of the calling thread, if it is capturing.</summary>
    private EmulatedCapture? Recording => _capture is { } capture && capture.Memory.CapturesHere ? capture : null;

    private void RejectWhileCapturing(string operation)
    {
        if (Recording is not null)
        {
            throw new GraphCaptureException(operation, Name);
        }
    }

    private void CheckRange(DeviceBuffer buffer, long offset, long length, string what)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool freed = buffer switch
        {
            EmulatedBuffer emulated when ReferenceEquals(buffer.Device, this) => emulated.IsFreed,
            GraphBuffer graph when ReferenceEquals(buffer.Device, this) => graph.IsDisposed,
            _ => throw new ArgumentException($"{what}: the buffer belongs to {buffer.Device.Name}, not to this emulated device"),
        };
        ObjectDisposedException.ThrowIf(freed, buffer);
        if (offset < 0 || length < 0 || offset + length > buffer.Bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{what}: bytes [{offset}, {offset + length}) outside a buffer of {buffer.Bytes} bytes");
        }
    }

    /// <summary>What a capture in progress has recorded so far.</summary>
    private sealed class EmulatedCapture(CaptureArena memory)
    {
        public CaptureArena Memory { get; } = memory;
        public List<Action> Work { get; } = [];
        public int Kernels { get; set; }
        public int Gemms { get; set; }
    }
}
