namespace Wan.Kernels.Device;

/// <summary>
/// A thread used a device while another thread captured a graph on it. A capture serialises the device:
/// on a GPU the launch would be recorded into the other thread's graph, and a synchronous copy or wait
/// would invalidate the capture.
/// </summary>
public sealed class CaptureInProgressException(string operation, string device, int capturingThread)
    : InvalidOperationException($"{operation} on {device} from thread {Environment.CurrentManagedThreadId} while thread {capturingThread} captures a graph on it: a capture serialises the device; wait until the capture ends")
{
    /// <summary>What was refused, e.g. "launch of kernel wan_add" or "copy to host".</summary>
    public string Operation { get; } = operation;

    /// <summary>The managed thread id of the capturing thread.</summary>
    public int CapturingThread { get; } = capturingThread;
}
