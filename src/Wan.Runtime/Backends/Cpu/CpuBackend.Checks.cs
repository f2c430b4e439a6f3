using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>The non-finite check: one scan of the tensor's float32 memory.</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public long CountNonFinite(Tensor x) => HostMath.CountNonFinite(x is MappedCpuTensor mapped ? Mapped(mapped).ToFloatArray() : Cpu(x).Data);
}
