using Wan.Runtime.Engine;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// Engine options that put every component on the emulated device (the CUDA backend declares the text-encoder,
/// DiT and VAE families, so the engine routes all three there).
/// </summary>
internal static class EmulatedEngineOptions
{
    /// <summary>Where the VAE runs under <see cref="For"/>.</summary>
    public static EngineDevice VaeDevice => EngineDevice.CudaEmulated;

    /// <summary><c>Device = CudaEmulated</c> at <paramref name="precision"/>.</summary>
    public static EngineOptions For(DType precision) => new() { Device = EngineDevice.CudaEmulated, Precision = precision };
}
