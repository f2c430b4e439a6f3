namespace Wan.Kernels.Device;

/// <summary>A graph of the <see cref="DryRunDevice"/>: its recorded calls, counted again in the log at each replay.</summary>
internal sealed class DryRunGraph(DryRunLog log, IReadOnlyList<DryRunCall> calls, CaptureArena memory, int kernels, int gemms)
    : DeviceGraph(memory, kernels, gemms)
{
    private protected override void Replay() => log.Replay(calls);

    private protected override void Release() { }
}
