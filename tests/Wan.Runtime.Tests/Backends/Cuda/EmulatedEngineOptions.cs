using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Engine;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// Engine options that put every component on the emulated device whose family the CUDA backend declares, by
/// capability: the VAE is routed to the CPU explicitly while <see cref="CudaBackend"/> lacks <see cref="IVaeOps"/>
/// (the engine refuses a named device without the family), and follows the device by itself once it has it.
/// </summary>
internal static class EmulatedEngineOptions
{
    /// <summary>Whether the CUDA backend declares the VAE family.</summary>
    public static bool CudaHasVae => typeof(IVaeOps).IsAssignableFrom(typeof(CudaBackend));

    /// <summary>Where the VAE runs under <see cref="For"/>.</summary>
    public static EngineDevice VaeDevice => CudaHasVae ? EngineDevice.CudaEmulated : EngineDevice.Cpu;

    /// <summary><c>Device = CudaEmulated</c> at <paramref name="precision"/>, the VAE on the CPU while CUDA lacks its family.</summary>
    public static EngineOptions For(DType precision) => new()
    {
        Device = EngineDevice.CudaEmulated,
        Precision = precision,
        VaeDevice = CudaHasVae ? null : EngineDevice.Cpu,
    };
}
