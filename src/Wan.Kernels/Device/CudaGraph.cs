using Wan.Kernels.Handles;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Device;

/// <summary>
/// Work captured from a <see cref="CudaDevice"/>'s stream (<see cref="CudaDevice.CaptureGraph"/>) and
/// instantiated: <see cref="Launch"/> replays every launch/copy/GEMM with one driver call, the same
/// buffers and the same argument values as at capture time.
/// </summary>
public sealed class CudaGraph : IDisposable
{
    private readonly CudaDevice _device;
    private readonly CudaGraphExecHandle _exec;

    internal CudaGraph(CudaDevice device, CudaGraphExecHandle exec)
    {
        _device = device;
        _exec = exec;
    }

    /// <summary>Queues one replay on the device's stream.</summary>
    public void Launch() => _device.OnStream(stream => Check(CudaDriver.cuGraphLaunch(_exec.DangerousGetHandle(), stream)));

    public void Dispose() => _exec.Dispose();
}
