using Wan.Kernels.Device;

namespace Wan.Kernels.Tests;

/// <summary>
/// The copy-stream operations tried inside a graph capture, shared by the emulated, dry-run and GPU copy-stream tests:
/// staging allocation, upload, compute mark, wait on compute and wait on host, in that order.
/// </summary>
internal static class CopyStreamCapture
{
    /// <summary>
    /// Captures a graph on <paramref name="device"/> that tries each operation (with <paramref name="staging"/>,
    /// <paramref name="destination"/> and the earlier <paramref name="ticket"/>); returns the ones refused with
    /// <see cref="GraphCaptureException"/> (the name tried and the exception's operation) and the graph, for the
    /// caller to dispose.
    /// </summary>
    public static (List<(string Name, string Operation)> Refused, DeviceGraph Graph) TryEveryOperation<TDevice>(
        TDevice device, StagingBuffer staging, DeviceBuffer destination, UploadTicket ticket) where TDevice : IDevice, IUploadStream
    {
        var refused = new List<(string, string)>();
        void Expect(string name, Action operation)
        {
            try
            {
                operation();
            }
            catch (GraphCaptureException e)
            {
                refused.Add((name, e.Operation));
            }
        }
        var graph = device.Capture(() =>
        {
            Expect("staging", () => device.AllocateStaging(staging.Bytes).Dispose());
            Expect("upload", () => device.Upload(staging, 0, destination, 0, staging.Bytes).Dispose());
            Expect("mark", () => device.MarkCompute().Dispose());
            Expect("wait on compute", () => device.WaitOnCompute(ticket));
            Expect("wait on host", () => device.WaitOnHost(ticket));
        });
        return (refused, graph);
    }
}
