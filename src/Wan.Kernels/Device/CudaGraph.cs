using Wan.Kernels.Handles;

namespace Wan.Kernels.Device;

/// <summary>
/// Work captured from a <see cref="CudaDevice"/>'s stream and instantiated: <see cref="DeviceGraph.Launch"/>
/// replays every launch/GEMM with one driver call (cuGraphLaunch), the same buffers and the same
/// argument values as at capture time. It keeps the captured kernels' names in order (what a
/// fault under <c>WAN_CUDA_SYNC=1</c> reports).
/// </summary>
internal sealed class CudaGraph(CudaDevice device, CudaGraphExecHandle exec, CaptureArena memory, int kernels, int gemms, IReadOnlyList<string> names)
    : DeviceGraph(memory, kernels, gemms)
{
    private protected override void Replay() => device.LaunchGraph(exec, names);

    /// <summary>The executable graph goes before the memory it writes (the arena frees it after this).</summary>
    private protected override void Release()
    {
        device.TrySynchronize();
        exec.Dispose();
    }
}
