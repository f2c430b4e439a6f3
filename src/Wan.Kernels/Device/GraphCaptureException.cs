namespace Wan.Kernels.Device;

/// <summary>
/// An operation a stream capture cannot contain was called while the device captured a graph:
/// synchronous host copies, memsets and waits (CUDA forbids them during capture; the emulated device
/// refuses them the same way, so CI enforces what a GPU will).
/// </summary>
public sealed class GraphCaptureException(string operation, string device)
    : InvalidOperationException($"{operation} is not allowed while {device} captures a graph: do it before the capture or between replays (a captured step may only launch kernels and GEMMs)")
{
    /// <summary>The refused operation, e.g. "copy to host".</summary>
    public string Operation { get; } = operation;
}
