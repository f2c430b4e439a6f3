using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Device;

/// <summary>
/// The CUDA device emulated on the CPU: memory is host memory, kernels are the same .cu sources
/// compiled by g++ (libwan_emu.so, see kernels/emu/cuda_emu.h) and run synchronously, GEMMs go to
/// OpenBLAS with 16-bit storage rounding like cuBLAS. Constructing it loads the emulator library.
/// <para>
/// <see cref="Schedules"/> decides the order of a block's fibers (<see cref="EmulatedSchedule"/>). With
/// more than one, every launch runs under each schedule in turn from the same memory contents, and the
/// device's buffers must come out bit-identical, else the launch throws
/// <see cref="EmulatedLaunchException"/> naming the kernel, the two schedules and the first differing byte
/// (a race between the block's threads). Kernels whose results legitimately depend on the order (float
/// atomics) are run on a device with one schedule.
/// </para>
/// <see cref="Capture"/> follows CUDA's stream-capture rules (see <see cref="IDevice.Capture"/>); while a
/// capture is open, other threads' operations throw <see cref="CaptureInProgressException"/> and memory
/// freed by them (or by a finalizer) is freed when the capture ends, as on <see cref="CudaDevice"/>.
/// </summary>
public sealed unsafe partial class EmulatedDevice : IDevice, IGraphCapturing, IDeviceMemoryAccounting
{
    private readonly CaptureGate _gate = new();
    private readonly object _liveLock = new();
    private readonly Dictionary<ulong, int> _live = []; // address → bytes of every unfreed buffer (not the objects: they must stay collectable)
    private long _liveBytes, _peakBytes;
    private bool _disposed;
    private EmulatedCapture? _capture;

    /// <summary>A device with the schedules of <c>WAN_EMU_SCHEDULE</c> (default: forward); throws <see cref="FormatException"/> on a bad value.</summary>
    public EmulatedDevice() : this(EmulatedSchedule.FromEnvironment())
    {
    }

    /// <summary>A device running every launch under each of <paramref name="schedules"/> (at least one), outputs compared bit for bit.</summary>
    public EmulatedDevice(IReadOnlyList<EmulatedSchedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Count == 0)
        {
            throw new ArgumentException("an emulated device needs at least one schedule", nameof(schedules));
        }
        Schedules = [.. schedules];
        LibraryPath = EmulatorLibrary.LoadedPath;
    }

    /// <summary>"emulated (g++ fibers)".</summary>
    public string Name => "emulated (g++ fibers)";

    /// <summary>Where the emulator library was loaded from (release, ASan or UBSan build).</summary>
    public string LibraryPath { get; }

    /// <summary>Which emulator build runs the kernels: "release", "asan" or "ubsan".</summary>
    public static string LibraryVariant => EmulatorLibrary.Variant;

    /// <summary>The fiber schedules every launch runs under (more than one: compared bit for bit).</summary>
    public IReadOnlyList<EmulatedSchedule> Schedules { get; }

    /// <summary>Buffers freed while a capture was open, to be freed when it ends.</summary>
    internal int DeferredFrees => _gate.DeferredFrees;

    internal CaptureGate Gate => _gate;

    /// <summary>Host memory filled with 0xFF (see <see cref="EmulatedBuffer"/>); inside a capture, from the graph's arena.</summary>
    public DeviceBuffer Allocate(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Recording is { } capture ? capture.Memory.Allocate(bytes) : EmulatedBuffer.Allocate(this, bytes);
    }

    /// <summary>Copies host bytes into <paramref name="destination"/>; refused while capturing.</summary>
    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        using var scope = _gate.Enter("copy to device", Name);
        RejectWhileCapturing("copy to device");
        CheckRange(destination, destinationOffset, source.Length, "copy to device");
        source.CopyTo(new Span<byte>((byte*)destination.Address + destinationOffset, source.Length));
    }

    /// <summary>Copies device bytes to the host; refused while capturing.</summary>
    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        using var scope = _gate.Enter("copy to host", Name);
        RejectWhileCapturing("copy to host");
        CheckRange(source, sourceOffset, destination.Length, "copy to host");
        new ReadOnlySpan<byte>((byte*)source.Address + sourceOffset, destination.Length).CopyTo(destination);
    }

    /// <summary>Fills a buffer with one byte value; refused while capturing.</summary>
    public void Memset(DeviceBuffer buffer, byte value)
    {
        using var scope = _gate.Enter("memset", Name);
        RejectWhileCapturing("memset");
        CheckRange(buffer, 0, buffer.Bytes, "memset");
        NativeMemory.Fill((void*)buffer.Address, (nuint)buffer.Bytes, value);
    }

    /// <summary>Runs the kernel now (recorded instead while this thread captures); failures throw <see cref="EmulatedLaunchException"/>.</summary>
    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LaunchDimensions.Check(kernel, grid, block, dynamicSharedBytes);
        using var scope = _gate.Enter($"launch of kernel {kernel}", Name);
        if (Recording is { } capture)
        {
            capture.Work.Add(new RecordedLaunch(this, kernel, grid, block, dynamicSharedBytes, args).Replay);
            capture.Kernels++;
            return;
        }
        Execute(kernel, [(uint)grid.X, (uint)grid.Y, (uint)grid.Z], [(uint)block.X, (uint)block.Y, (uint)block.Z], (uint)dynamicSharedBytes, args);
    }

    /// <summary>Runs the GEMM on OpenBLAS now (recorded instead while this thread captures).</summary>
    public void Gemm(in GemmDesc gemm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        gemm.Validate();
        using var scope = _gate.Enter("GEMM", Name);
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
        using var scope = _gate.Enter("synchronize", Name);
        RejectWhileCapturing("synchronize");
    }

    /// <summary>Records the launches and GEMMs of <paramref name="work"/> on this thread (rules: <see cref="IDevice.Capture"/>).</summary>
    public DeviceGraph Capture(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _gate.Begin(Name);
        var memory = new CaptureArena(this, bytes => EmulatedBuffer.Allocate(this, bytes));
        var capture = new EmulatedCapture(memory);
        _capture = capture;
        try
        {
            work();
        }
        catch
        {
            _capture = null;
            _gate.End();
            memory.Dispose();
            throw;
        }
        _capture = null;
        _gate.End();
        memory.EndCapture();
        return new EmulatedGraph(capture.Work, memory, capture.Kernels, capture.Gemms);
    }

    /// <summary>Marks the device disposed (its buffers stay valid until they are disposed).</summary>
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

    /// <inheritdoc/>
    public long AllocatedBytes
    {
        get
        {
            lock (_liveLock)
            {
                return _liveBytes;
            }
        }
    }

    /// <summary>The most <see cref="AllocatedBytes"/> reached since creation or the last <see cref="ResetPeak"/> (compared with a dry run's peak).</summary>
    public long PeakBytes
    {
        get
        {
            lock (_liveLock)
            {
                return _peakBytes;
            }
        }
    }

    /// <summary>Starts a new peak from the memory live now.</summary>
    public void ResetPeak()
    {
        lock (_liveLock)
        {
            _peakBytes = _liveBytes;
        }
    }

    internal void Track(ulong address, long bytes)
    {
        lock (_liveLock)
        {
            _live.Add(address, checked((int)bytes));
            _liveBytes += bytes;
            _peakBytes = Math.Max(_peakBytes, _liveBytes);
        }
    }

    internal void Forget(ulong address)
    {
        lock (_liveLock)
        {
            if (_live.Remove(address, out var bytes))
            {
                _liveBytes -= bytes;
            }
        }
    }

    /// <summary>
    /// Runs one launch under every schedule; with several, from the same contents of every live buffer
    /// each time, requiring bit-identical contents afterwards.
    /// </summary>
    internal void Execute(string kernel, uint[] grid, uint[] block, uint sharedBytes, void** args)
    {
        using var scope = _gate.Enter($"launch of kernel {kernel}", Name);
        if (Schedules.Count == 1)
        {
            Run(kernel, grid, block, sharedBytes, args, Schedules[0]);
            return;
        }
        KeyValuePair<ulong, int>[] buffers;
        lock (_liveLock)
        {
            buffers = [.. _live];
        }
        var before = Array.ConvertAll(buffers, b => Contents(b).ToArray());
        Run(kernel, grid, block, sharedBytes, args, Schedules[0]);
        var changed = new byte[]?[buffers.Length];
        for (int i = 0; i < buffers.Length; i++)
        {
            changed[i] = Contents(buffers[i]).SequenceEqual(before[i]) ? null : Contents(buffers[i]).ToArray();
        }
        for (int s = 1; s < Schedules.Count; s++)
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                if (changed[i] is not null)
                {
                    before[i].CopyTo(Contents(buffers[i]));
                }
            }
            Run(kernel, grid, block, sharedBytes, args, Schedules[s]);
            for (int i = 0; i < buffers.Length; i++)
            {
                var expected = changed[i] ?? before[i];
                var actual = Contents(buffers[i]);
                int at = actual.CommonPrefixLength(expected);
                if (at < expected.Length)
                {
                    throw new EmulatedLaunchException(kernel,
                        $"kernel '{kernel}': outputs differ between schedules {Schedules[0]} and {Schedules[s]}: the {actual.Length}-byte buffer " +
                        $"at 0x{buffers[i].Key:x} first differs at byte {at} (0x{expected[at]:x2} vs 0x{actual[at]:x2}) — a race between " +
                        "the block's threads (a missing __syncthreads/__syncwarp or cp.async wait) or an order-dependent atomic");
                }
            }
        }
    }

    private static Span<byte> Contents(KeyValuePair<ulong, int> buffer) => new((void*)buffer.Key, buffer.Value);

    private static void Run(string kernel, uint[] grid, uint[] block, uint sharedBytes, void** args, EmulatedSchedule schedule)
    {
        var error = EmulatorLibrary.Launch(kernel, grid, block, sharedBytes, args, schedule);
        if (error is not null)
        {
            throw new EmulatedLaunchException(kernel, schedule.Order == EmulatedScheduleOrder.Forward ? error : $"{error} (schedule {schedule})");
        }
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
