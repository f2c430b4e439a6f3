namespace Wan.Kernels.Device;

/// <summary>
/// A graph of the emulated device: the recorded launches and GEMMs, re-issued in capture order on
/// each replay (synchronously, as every emulated launch runs) with the values of capture time.
/// </summary>
internal sealed class EmulatedGraph(IReadOnlyList<Action> work, CaptureArena memory, int kernels, int gemms)
    : DeviceGraph(memory, kernels, gemms)
{
    private protected override void Replay()
    {
        foreach (var step in work)
        {
            step();
        }
    }

    private protected override void Release() { }
}
