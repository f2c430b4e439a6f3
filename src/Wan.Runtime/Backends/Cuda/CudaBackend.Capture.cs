using Wan.Kernels.Device;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>Step capture over <see cref="IDevice.Capture"/>: a CUDA graph on a GPU, the same recording on the emulated device.</summary>
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public Tensor Empty(Shape shape) => Allocate(shape);

    /// <inheritdoc/>
    public void Write(Tensor destination, ReadOnlySpan<float> data)
    {
        var t = Cuda(destination);
        if (data.Length != t.ElementCount)
        {
            throw new ArgumentException($"{data.Length} values do not fill tensor {destination}");
        }
        Device.CopyToDevice(EncodeForStorage(data), t.Buffer);
    }

    /// <inheritdoc/>
    /// <exception cref="GraphCaptureException">the work copies between host and device or synchronizes.</exception>
    public ICapturedWork Capture(Action work) => new CapturedGraph(Device.Capture(work));

    /// <summary>A device graph seen through the backend-neutral capability.</summary>
    private sealed class CapturedGraph(DeviceGraph graph) : ICapturedWork
    {
        public int Kernels => graph.Kernels;

        public int Gemms => graph.Gemms;

        public long OwnedBytes => graph.OwnedBytes;

        public void Replay() => graph.Launch();

        public void Dispose() => graph.Dispose();
    }
}
