using Wan.Kernels.Handles;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Device;

/// <summary>
/// Work captured from a <see cref="CudaDevice"/>'s stream and instantiated: <see cref="DeviceGraph.Launch"/>
/// replays every launch/GEMM with one driver call (cuGraphLaunch), the same buffers and the same
/// argument values as at capture time.
/// </summary>
internal sealed class CudaGraph(CudaDevice device, CudaGraphExecHandle exec, CaptureArena memory, int kernels, int gemms)
    : DeviceGraph(memory, kernels, gemms)
{
    private protected override void Replay() =>
        device.OnStream(stream => Check(CudaDriver.cuGraphLaunch(exec.DangerousGetHandle(), stream)));

    /// <summary>The executable graph goes before the memory it writes (the arena frees it after this).</summary>
    private protected override void Release()
    {
        device.TrySynchronize();
        exec.Dispose();
    }
}
