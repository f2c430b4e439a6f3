namespace Wan.Kernels.Device;

/// <summary>A device whose graph capture defers the freeing of buffers created before the capture.</summary>
internal interface IGraphCapturing
{
    /// <summary>
    /// When the calling thread is capturing on this device and <paramref name="buffer"/> is not the
    /// capture's own memory, hands it to the graph (freed with it) and returns true.
    /// </summary>
    bool TryAdopt(DeviceBuffer buffer);
}
