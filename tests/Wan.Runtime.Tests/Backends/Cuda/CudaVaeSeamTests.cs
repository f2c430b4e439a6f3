using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Models.Vae;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The exact tiling of <see cref="VaeSeamTests"/> on the CUDA backend (emulated device, bf16 storage), on one latent frame one
/// latent pixel high: the local decoder's tiled video is within half the fixture's bf16 tolerance of the CPU's untiled fp32 video,
/// and of the device's own untiled video.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class CudaVaeSeamTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void Bf16TilesWithAMarginCoveringTheReachMatchTheUntiledDecode(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var local = new LocalVae(set);
        using var cpu = new CpuBackend();
        using var cuda = new CudaBackend(Emulator, DType.BF16);
        using var cpuVae = WanVae.Load(cpu, local.VaeDirectory);
        using var cudaVae = WanVae.Load(cuda, local.VaeDirectory);
        var tiling = LocalVae.WithMargin(cudaVae.ConvolutionReachVideoPixels, cudaVae.Config.SpatialScale);
        var shape = new Shape(cudaVae.Config.ZDim, 1, 1, tiling.TileLatentPixels + 2 * (tiling.TileLatentPixels - tiling.OverlapLatentPixels));
        var latent = Representable(LocalVae.Latent(13, shape.ElementCount), DType.BF16);
        float[] reference;
        using (var z = cpu.FromHost(latent, shape))
        using (var video = cpuVae.Decode(z))
        {
            reference = cpu.ToHost(video);
        }
        float[] Device(VaeTiling? t)
        {
            cudaVae.Tiling = t;
            using var z = cuda.FromHost(latent, shape);
            using var video = cudaVae.Decode(z);
            return cuda.ToHost(video);
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var tiled = Device(tiling);
        var untiled = Device(null);
        double half = set.Cases.Where(c => c.Kind == "vae_decode").Min(c => c.Tolerance("bf16")) / 2;
        TestContext.Out.WriteLine($"{set}: latent {shape}, tiles {tiling.TileLatentPixels}/{tiling.OverlapLatentPixels}/{tiling.BlendLatentPixels}, " +
            $"bf16 tiled vs bf16 untiled {Metrics.RelativeL2(tiled, untiled):E2}; two decodes {watch.Elapsed.TotalSeconds:F1} s emulated");
        Metrics.AssertClose(tiled, reference, half, $"{set} bf16 tiled vs CPU fp32 untiled");
        Metrics.AssertClose(untiled, reference, half, $"{set} bf16 untiled vs CPU fp32 untiled");
    }
}
