using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>A float32 tensor in managed memory. Reshaped views share <see cref="Data"/>.</summary>
public sealed class CpuTensor : Tensor
{
    internal CpuTensor(CpuBackend backend, Shape shape, float[] data)
        : base(backend, shape, DType.F32)
    {
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException($"buffer of {data.Length} floats does not match shape {shape}");
        }
        Data = data;
    }

    /// <summary>The row-major float32 values (shared with reshaped views).</summary>
    public float[] Data { get; }
    /// <summary><see cref="Data"/> as a span.</summary>
    public Span<float> Span => Data;
}
