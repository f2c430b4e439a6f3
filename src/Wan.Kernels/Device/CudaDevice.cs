using System.Runtime.InteropServices;
using System.Text;
using Wan.Kernels.Compile;
using Wan.Kernels.Handles;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Device;

/// <summary>
/// The real GPU through the driver API: the device's primary context, one non-blocking stream that
/// every copy, launch and GEMM is queued on, the kernel sources (the runtime's,
/// <see cref="KernelSources.Kernels"/>, unless told otherwise) compiled by NVRTC up front (through the
/// <see cref="KernelCache"/>, in parallel) and loaded as one module each, and cuBLAS for GEMMs with an
/// explicit workspace of <see cref="CublasWorkspaceBytes"/>.
/// Every entry point makes the context current first, so any thread may call it (one at a time).
/// <see cref="Capture"/> records the stream into a CUDA graph under the rules of <see cref="IDevice.Capture"/>;
/// while it is open the device is serialised: another thread's launch, GEMM, copy, memset or wait throws
/// <see cref="CaptureInProgressException"/>, and device memory freed meanwhile (by a finalizer or another
/// thread) is freed when the capture ends.
/// With <c>WAN_CUDA_SYNC=1</c> (<see cref="SynchronizesEveryLaunch"/>) every launch and GEMM is followed by
/// a stream synchronisation, so an asynchronous fault is reported by the call that caused it, naming
/// the kernel (a graph replay names its kernels, in order: a fault inside a graph has no node of its own).
/// </summary>
public sealed unsafe partial class CudaDevice : IDevice, IGraphCapturing, IDeviceMemoryAccounting
{
    private const int DefaultMaxDynamicShared = 48 * 1024;

    /// <summary>Bytes of the cuBLAS workspace: 32 MiB, what cuBLAS recommends for Hopper (4 MiB suffices before it).</summary>
    public const long CublasWorkspaceBytes = 32L << 20;

    private long _allocatedBytes;
    private long _peakBytes;

    /// <summary>The variable that turns on a synchronisation after every launch (value 1; 0 or unset: off).</summary>
    public const string SyncVariable = "WAN_CUDA_SYNC";

    private readonly CudaContextHandle _context;
    private readonly CudaStreamHandle _stream;
    private readonly CublasHandle _blas;
    private readonly CudaMemoryHandle _blasWorkspace;
    private readonly CaptureGate _gate = new();
    private readonly IReadOnlyList<(string Source, CudaModuleHandle Module)> _modules;
    private readonly Dictionary<string, IntPtr> _functions = [];
    private readonly Dictionary<IntPtr, int> _dynamicSharedLimit = [];
    private (CaptureArena Memory, int Kernels, int Gemms, string[] Names)? _capture;

    /// <summary>
    /// Opens GPU <paramref name="ordinal"/> with the modules of <paramref name="kernels"/> (default: the
    /// runtime's; tests add <see cref="KernelSources.TestKernels"/>); throws
    /// <see cref="NoCudaDeviceException"/> on a machine without one.
    /// </summary>
    public CudaDevice(int ordinal = 0, KernelCache? cache = null, CompileOptions? options = null, IReadOnlyList<KernelSource>? kernels = null)
    {
        var device = OpenDevice(ordinal);
        var major = Attribute(device, CudaDriver.AttributeComputeCapabilityMajor);
        var minor = Attribute(device, CudaDriver.AttributeComputeCapabilityMinor);
        ComputeCapability = (major, minor);
        Target = NvrtcCompiler.TargetFor(major, minor);
        Name = $"{DeviceName(device)} (sm_{major}{minor})";
        MaxDynamicSharedBytes = Attribute(device, CudaDriver.AttributeMaxSharedMemoryPerBlockOptin);
        SynchronizesEveryLaunch = SyncRequested();

        _context = CudaContextHandle.RetainPrimary(device);
        var owned = new List<IDisposable> { _context };
        try
        {
            _context.MakeCurrent();
            _stream = CudaStreamHandle.Create(_context);
            owned.Add(_stream);
            _blasWorkspace = CudaMemoryHandle.Allocate(_context, CublasWorkspaceBytes, _gate);
            owned.Add(_blasWorkspace);
            _blas = CublasHandle.Create(_context, _stream, _blasWorkspace, CublasWorkspaceBytes);
            owned.Add(_blas);
            _modules = LoadModules(kernels ?? KernelSources.Kernels, cache ?? KernelCache.CreateDefault(), options ?? CompileOptions.Default, owned);
        }
        catch
        {
            owned.Reverse();
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    /// <summary>The GPU's name and architecture, e.g. "NVIDIA H200 (sm_90)".</summary>
    public string Name { get; }

    /// <summary>The GPU's compute capability, e.g. (9, 0).</summary>
    public (int Major, int Minor) ComputeCapability { get; }

    /// <summary>What the kernels were compiled to: CUBIN for this GPU, or PTX when NVRTC is older than the GPU.</summary>
    public CompileTarget Target { get; }

    /// <summary>The most dynamic shared memory one block may opt into on this GPU.</summary>
    public int MaxDynamicSharedBytes { get; }

    /// <summary>Whether <c>WAN_CUDA_SYNC=1</c> was set when the device was opened (see the class summary).</summary>
    public bool SynchronizesEveryLaunch { get; }

    /// <summary>Device memory frees waiting for the open capture to end.</summary>
    internal int DeferredFrees => _gate.DeferredFrees;

    /// <summary>The stream's creation flags (cuStreamGetFlags): 1, CU_STREAM_NON_BLOCKING.</summary>
    internal uint StreamFlags
    {
        get
        {
            _context.MakeCurrent();
            uint flags;
            Check(CudaDriver.cuStreamGetFlags(RawStream, &flags));
            return flags;
        }
    }

    /// <summary>
    /// Reads <c>WAN_CUDA_SYNC</c>: "1" on, unset/empty/"0" off; any other value throws
    /// <see cref="ArgumentException"/> naming the variable.
    /// </summary>
    public static bool SyncRequested()
    {
        var value = Environment.GetEnvironmentVariable(SyncVariable);
        return value switch
        {
            null or "" or "0" => false,
            "1" => true,
            _ => throw new ArgumentException($"{SyncVariable}={value}: expected 1 (synchronise after every launch) or 0"),
        };
    }

    /// <summary>
    /// Whether a CUDA device can be opened here; when not, <paramref name="reason"/> says why
    /// (library not installed, no GPU, driver error). Never throws.
    /// </summary>
    public static bool IsAvailable(out string reason)
    {
        try
        {
            OpenDevice(0);
            reason = "";
            return true;
        }
        catch (Exception e) when (e is Wan.Errors.DeviceException or DllNotFoundException or EntryPointNotFoundException)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>Device memory; zero bytes give an empty buffer, as on the emulated device (nothing is allocated).</summary>
    public DeviceBuffer Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return Recording is { } capture ? capture.Memory.Allocate(bytes) : AllocateBlock(bytes);
    }

    /// <summary>
    /// cuMemAlloc, also while capturing (the capture runs in relaxed mode, which allows it; the arena
    /// that calls it keeps the block until the graph is disposed).
    /// </summary>
    private DeviceBuffer AllocateBlock(long bytes)
    {
        if (bytes == 0)
        {
            return CudaBuffer.Empty(this);
        }
        _context.MakeCurrent();
        var buffer = new CudaBuffer(this, CudaMemoryHandle.Allocate(_context, bytes, _gate), bytes);
        long live = Interlocked.Add(ref _allocatedBytes, bytes);
        for (long peak = Interlocked.Read(ref _peakBytes); live > peak; peak = Interlocked.Read(ref _peakBytes))
        {
            if (Interlocked.CompareExchange(ref _peakBytes, live, peak) == peak)
            {
                break;
            }
        }
        return buffer;
    }

    /// <inheritdoc/>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>
    /// The most <see cref="AllocatedBytes"/> reached since creation or the last <see cref="ResetPeak"/>: our buffers only
    /// (compared with a dry run's peak), not the CUDA context, module images or the cuBLAS workspace.
    /// </summary>
    public long PeakBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>Starts a new peak from the memory allocated now.</summary>
    public void ResetPeak() => Interlocked.Exchange(ref _peakBytes, Interlocked.Read(ref _allocatedBytes));

    /// <summary>Called by a <see cref="CudaBuffer"/> that freed its block.</summary>
    internal void Freed(long bytes) => Interlocked.Add(ref _allocatedBytes, -bytes);

    /// <summary>Page-locked host memory of 1..int.MaxValue bytes (cuMemAllocHost), the fast host side of a copy.</summary>
    public CudaPinnedBuffer AllocatePinned(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, int.MaxValue);
        _context.MakeCurrent();
        return new CudaPinnedBuffer(this, PinnedHostMemoryHandle.Allocate(_context, bytes, _gate), bytes);
    }

    /// <inheritdoc/>
    public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0)
    {
        using var scope = _gate.Enter("copy to device", Name);
        RejectWhileCapturing("copy to device");
        var address = Resolve(destination, destinationOffset, source.Length, nameof(destination));
        if (source.IsEmpty)
        {
            return;
        }
        _context.MakeCurrent();
        fixed (byte* p = source)
        {
            // The span may be pageable managed memory: wait, so it is not read after we return.
            Check(CudaDriver.cuMemcpyHtoDAsync(address, p, (nuint)source.Length, RawStream));
            Check(CudaDriver.cuStreamSynchronize(RawStream));
        }
    }

    /// <inheritdoc/>
    public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination)
    {
        using var scope = _gate.Enter("copy to host", Name);
        RejectWhileCapturing("copy to host");
        var address = Resolve(source, sourceOffset, destination.Length, nameof(source));
        if (destination.IsEmpty)
        {
            return;
        }
        _context.MakeCurrent();
        fixed (byte* p = destination)
        {
            Check(CudaDriver.cuMemcpyDtoHAsync(p, address, (nuint)destination.Length, RawStream));
            Check(CudaDriver.cuStreamSynchronize(RawStream));
        }
    }

    /// <inheritdoc/>
    public void Memset(DeviceBuffer buffer, byte value)
    {
        using var scope = _gate.Enter("memset", Name);
        RejectWhileCapturing("memset");
        var address = Resolve(buffer, 0, buffer.Bytes, nameof(buffer));
        if (buffer.Bytes == 0)
        {
            return;
        }
        _context.MakeCurrent();
        Check(CudaDriver.cuMemsetD8Async(address, value, (nuint)buffer.Bytes, RawStream));
    }

    /// <inheritdoc/>
    public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        LaunchDimensions.Check(kernel, grid, block, dynamicSharedBytes);
        if (dynamicSharedBytes > Math.Max(MaxDynamicSharedBytes, DefaultMaxDynamicShared))
        {
            throw new ArgumentOutOfRangeException(nameof(dynamicSharedBytes),
                $"kernel {kernel}: {dynamicSharedBytes} bytes of dynamic shared memory; this GPU allows 0..{MaxDynamicSharedBytes}");
        }
        using var scope = _gate.Enter($"launch of kernel {kernel}", Name);
        _context.MakeCurrent();
        var function = Function(kernel);
        AllowDynamicShared(function, dynamicSharedBytes);
        Check(CudaDriver.cuLaunchKernel(function, (uint)grid.X, (uint)grid.Y, (uint)grid.Z,
            (uint)block.X, (uint)block.Y, (uint)block.Z, (uint)dynamicSharedBytes, RawStream, args, null));
        if (Recording is { } capture)
        {
            _capture = capture with { Kernels = capture.Kernels + 1, Names = [.. capture.Names, kernel] };
            return;
        }
        SynchronizeIfDebugging(() => $"kernel {kernel} (grid ({grid.X},{grid.Y},{grid.Z}), block ({block.X},{block.Y},{block.Z}), {dynamicSharedBytes} B dynamic shared memory)");
    }

    /// <summary>With <c>WAN_CUDA_SYNC=1</c>: waits for the stream and names <paramref name="what"/> when the wait reports a fault.</summary>
    private void SynchronizeIfDebugging(Func<string> what)
    {
        if (!SynchronizesEveryLaunch)
        {
            return;
        }
        var result = CudaDriver.cuStreamSynchronize(RawStream);
        if (result != CuResult.Success)
        {
            throw new CudaException("cuStreamSynchronize", (int)result, CuResultName(result), $"{what()} faulted ({SyncVariable}=1)");
        }
    }

    /// <summary>Replays a graph on the stream (with <c>WAN_CUDA_SYNC=1</c>: waits, and a fault names the graph's kernels).</summary>
    internal void LaunchGraph(CudaGraphExecHandle exec, IReadOnlyList<string> kernels)
    {
        using var scope = _gate.Enter("graph launch", Name);
        _context.MakeCurrent();
        Check(CudaDriver.cuGraphLaunch(exec.DangerousGetHandle(), RawStream));
        SynchronizeIfDebugging(() => $"a graph of {kernels.Count} kernel(s) ({string.Join(", ", kernels.Distinct().Take(12))}{(kernels.Distinct().Count() > 12 ? ", ..." : "")})");
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
        using var scope = _gate.Enter("synchronize", Name);
        RejectWhileCapturing("synchronize");
        _context.MakeCurrent();
        Check(CudaDriver.cuStreamSynchronize(RawStream));
    }

    /// <summary>Milliseconds the GPU spent on the work <paramref name="queue"/> puts on the stream (events around it).</summary>
    public float Time(Action queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        using var scope = _gate.Enter("timing", Name);
        _context.MakeCurrent();
        using var start = CudaEventHandle.Create(_context);
        using var end = CudaEventHandle.Create(_context);
        Check(CudaDriver.cuEventRecord(start.DangerousGetHandle(), RawStream));
        queue();
        _context.MakeCurrent();
        Check(CudaDriver.cuEventRecord(end.DangerousGetHandle(), RawStream));
        Check(CudaDriver.cuEventSynchronize(end.DangerousGetHandle()));
        float milliseconds;
        Check(CudaDriver.cuEventElapsedTime(&milliseconds, start.DangerousGetHandle(), end.DangerousGetHandle()));
        return milliseconds;
    }

    /// <summary>
    /// Records the work <paramref name="work"/> puts on the stream into a graph instead of running it
    /// (rules: <see cref="IDevice.Capture"/>). The capture mode is relaxed so the graph's arena may call
    /// cuMemAlloc; copies, memsets and waits are refused by this class before they reach the driver.
    /// </summary>
    public DeviceGraph Capture(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _gate.Begin(Name);
        var memory = new CaptureArena(this, AllocateBlock);
        try
        {
            _context.MakeCurrent();
            Check(CudaDriver.cuStreamBeginCapture(RawStream, CudaDriver.StreamCaptureModeRelaxed));
        }
        catch
        {
            _gate.End();
            throw;
        }
        _capture = (memory, 0, 0, []);
        try
        {
            work();
            _context.MakeCurrent();
            using var graph = CudaGraphHandle.EndCapture(_context, _stream);
            var (_, kernels, gemms, names) = _capture.Value;
            _capture = null;
            _gate.End();
            memory.EndCapture();
            return new CudaGraph(this, CudaGraphExecHandle.Instantiate(_context, graph), memory, kernels, gemms, names);
        }
        catch
        {
            if (_capture is not null)
            {
                _capture = null;
                AbandonCapture();
            }
            _gate.End();
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the stream without throwing (a graph's Dispose; errors surface at the next call).</summary>
    internal void TrySynchronize()
    {
        if (CudaDriver.cuCtxSetCurrent(_context.DangerousGetHandle()) == CuResult.Success)
        {
            _ = CudaDriver.cuStreamSynchronize(RawStream);
        }
    }

    /// <summary>
    /// Takes the stream out of capture mode after the queued work failed. A failure to end the capture
    /// (an invalidated capture has no graph) is a consequence of that error, so it is not reported.
    /// </summary>
    private void AbandonCapture()
    {
        if (CudaDriver.cuCtxSetCurrent(_context.DangerousGetHandle()) == CuResult.Success)
        {
            CudaGraphHandle.TryEndCapture(_context, _stream)?.Dispose();
        }
    }

    /// <summary>Waits for queued work, then destroys the copy stream, unloads the modules and frees the cuBLAS handle, its workspace, the stream and the context reference.</summary>
    public void Dispose()
    {
        if (_context.IsClosed)
        {
            return;
        }
        // Let queued work finish before its modules go away. A failure here was already reported to
        // the call that queued the work (or will be at the next context use); Dispose must not throw.
        TrySynchronize();
        DisposeCopyStream();
        foreach (var (_, module) in _modules)
        {
            module.Dispose();
        }
        _blas.Dispose();
        _blasWorkspace.Dispose();
        _stream.Dispose();
        _context.Dispose();
    }

    /// <summary>The device name (<see cref="Name"/>).</summary>
    public override string ToString() => Name;

    private IntPtr RawStream => _stream.DangerousGetHandle();

    bool IGraphCapturing.TryAdopt(DeviceBuffer buffer)
    {
        if (buffer is GraphBuffer || Recording is not { } capture)
        {
            return false;
        }
        capture.Memory.Adopt(buffer);
        return true;
    }

    /// <summary>The capture in progress when the calling thread is the one capturing.</summary>
    private (CaptureArena Memory, int Kernels, int Gemms, string[] Names)? Recording =>
        _capture is { } capture && capture.Memory.CapturesHere ? capture : null;

    private void RejectWhileCapturing(string operation)
    {
        if (Recording is not null)
        {
            throw new GraphCaptureException(operation, Name);
        }
    }

    private static int OpenDevice(int ordinal)
    {
        Check(CudaDriver.cuInit(0));
        int count;
        Check(CudaDriver.cuDeviceGetCount(&count));
        if (ordinal < 0 || ordinal >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), $"CUDA device {ordinal} does not exist: the driver sees {count} device(s)");
        }
        int device;
        Check(CudaDriver.cuDeviceGet(&device, ordinal));
        return device;
    }

    private static int Attribute(int device, int attribute)
    {
        int value;
        Check(CudaDriver.cuDeviceGetAttribute(&value, attribute, device));
        return value;
    }

    private static string DeviceName(int device)
    {
        var buffer = stackalloc byte[256];
        Check(CudaDriver.cuDeviceGetName(buffer, 256, device));
        return Marshal.PtrToStringUTF8((IntPtr)buffer) ?? $"CUDA device {device}";
    }

    private IReadOnlyList<(string, CudaModuleHandle)> LoadModules(IReadOnlyList<KernelSource> kernels, KernelCache cache, CompileOptions options, List<IDisposable> owned)
    {
        var headers = KernelSources.Headers;
        var images = kernels
            .AsParallel().AsOrdered()
            .Select(source => cache.GetOrCompile(source, headers, Target, options))
            .ToList();
        var modules = new List<(string, CudaModuleHandle)>();
        foreach (var image in images)
        {
            var module = CudaModuleHandle.Load(_context, image.Image);
            owned.Add(module);
            modules.Add((image.Source, module));
        }
        return modules;
    }

    private IntPtr Function(string kernel)
    {
        lock (_functions)
        {
            if (_functions.TryGetValue(kernel, out var cached))
            {
                return cached;
            }
            var name = Encoding.UTF8.GetBytes(kernel + "\0");
            foreach (var (_, module) in _modules)
            {
                IntPtr function;
                CuResult found;
                fixed (byte* p = name)
                {
                    found = CudaDriver.cuModuleGetFunction(&function, module.DangerousGetHandle(), p);
                }
                if (found == CuResult.NotFound)
                {
                    continue;
                }
                Check(found, $"cuModuleGetFunction({kernel})");
                _functions[kernel] = function;
                return function;
            }
            throw new ArgumentException(
                $"kernel '{kernel}' is not an extern \"C\" kernel of any loaded module ({string.Join(", ", _modules.Select(m => m.Source))})",
                nameof(kernel));
        }
    }

    /// <summary>Above 48 KiB a kernel must opt into dynamic shared memory (once per size increase).</summary>
    private void AllowDynamicShared(IntPtr function, int bytes)
    {
        if (bytes <= DefaultMaxDynamicShared)
        {
            return;
        }
        lock (_dynamicSharedLimit)
        {
            if (_dynamicSharedLimit.TryGetValue(function, out var limit) && limit >= bytes)
            {
                return;
            }
            Check(CudaDriver.cuFuncSetAttribute(function, CudaDriver.FunctionAttributeMaxDynamicSharedSizeBytes, bytes));
            _dynamicSharedLimit[function] = bytes;
        }
    }

    private ulong Resolve(DeviceBuffer buffer, long offset, long bytes, string parameter)
    {
        ArgumentNullException.ThrowIfNull(buffer, parameter);
        bool disposed = buffer switch
        {
            CudaBuffer cuda when ReferenceEquals(buffer.Device, this) => cuda.IsDisposed,
            GraphBuffer graph when ReferenceEquals(buffer.Device, this) => graph.IsDisposed,
            _ => throw new ArgumentException($"{parameter} belongs to another device ({buffer.Device.Name}), not {Name}", parameter),
        };
        ObjectDisposedException.ThrowIf(disposed, buffer);
        if (offset < 0 || bytes < 0 || offset > buffer.Bytes - bytes)
        {
            throw new ArgumentOutOfRangeException(parameter, $"bytes [{offset}, {offset + bytes}) are outside the {buffer.Bytes}-byte buffer");
        }
        return buffer.Address + (ulong)offset;
    }
}
