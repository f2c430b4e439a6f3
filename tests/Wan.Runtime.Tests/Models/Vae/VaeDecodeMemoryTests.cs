using Wan.Errors;
using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Planning;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Models.Vae;

/// <summary>
/// The modelled decode peak (<see cref="VaeDecodeMemory"/>) against the peak the dry-run device records for the same decode
/// (CUDA backend, bf16, chunks checked and copied to the host as the pipeline does): never below it, at most 1.5× it — for the
/// fixture's VAE and the Wan2.1 shapes, whole and tiled. A budget picks the largest tile that fits and the recorded peak of
/// that decode fits the budget; a budget under the smallest tiling is refused naming what that needs.
/// </summary>
public sealed class VaeDecodeMemoryTests
{
    private const double Factor = 1.5;

    private static IEnumerable<TestCaseData> Wan21Cases()
    {
        yield return new TestCaseData(1, 12, 20, 0).SetName("Wan21 1x12x20 whole");
        yield return new TestCaseData(3, 12, 20, 0).SetName("Wan21 3x12x20 whole");
        yield return new TestCaseData(3, 30, 52, 0).SetName("Wan21 3x30x52 whole");
        yield return new TestCaseData(3, 30, 52, 16).SetName("Wan21 3x30x52 tiles of 16");
        yield return new TestCaseData(2, 45, 80, 24).SetName("Wan21 2x45x80 tiles of 24");
        yield return new TestCaseData(21, 90, 160, 0).SetName("Wan21 720p x 81 whole");
        yield return new TestCaseData(21, 90, 160, 41).SetName("Wan21 720p x 81 tiles of 41");
    }

    [TestCaseSource(nameof(Wan21Cases))]
    public void TheModelBoundsTheRecordedPeakOfTheWan21Decoder(int frames, int height, int width, int tile)
    {
        var tiling = tile == 0 ? null : VaeDecodeMemory.TilingOf(tile);
        var (recorded, modelled) = Measure(null, ShapeOnlyVaeWeights.Wan21, frames, height, width, tiling);
        AssertBound(recorded, modelled);
    }

    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheModelBoundsTheRecordedPeakOfTheFixtureDecoder(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var vae = Path.Combine(set.Diffusers, "vae");
        var config = VaeConfig.Load(Path.Combine(vae, "config.json"));
        foreach (var (frames, height, width, tile) in new[] { (1, 6, 4, 0), (3, 4, 6, 0), (3, 24, 40, 0), (3, 24, 40, 8), (2, 40, 64, 16) })
        {
            var (recorded, modelled) = Measure(vae, config, frames, height, width, tile == 0 ? null : VaeDecodeMemory.TilingOf(tile));
            AssertBound(recorded, modelled);
        }
    }

    [Test]
    public void ABudgetPicksTheLargestTileThatFitsAndTheDecodeStaysWithinIt()
    {
        var config = ShapeOnlyVaeWeights.Wan21;
        const int frames = 2, height = 45, width = 80;
        long whole = VaeDecodeMemory.PeakBytes(config, frames, height, width, null, 2, CudaBackend.DefaultConvColumnBytes);
        long budget = whole / 3;
        var chosen = VaeDecodeMemory.Choose(config, frames, height, width, 2, CudaBackend.DefaultConvColumnBytes, budget);
        Assert.That(chosen, Is.Not.Null);
        long chosenPeak = VaeDecodeMemory.PeakBytes(config, frames, height, width, chosen, 2, CudaBackend.DefaultConvColumnBytes);
        long largerPeak = VaeDecodeMemory.PeakBytes(config, frames, height, width, VaeDecodeMemory.TilingOf(chosen!.TileLatentPixels + 1), 2, CudaBackend.DefaultConvColumnBytes);
        var (recorded, _) = Measure(null, config, frames, height, width, chosen);
        TestContext.Out.WriteLine($"whole {whole / 1e6:F1} MB, budget {budget / 1e6:F1} MB: tiles of {chosen.TileLatentPixels} modelled {chosenPeak / 1e6:F1} MB, recorded {recorded / 1e6:F1} MB");
        Assert.Multiple(() =>
        {
            Assert.That(chosenPeak, Is.LessThanOrEqualTo(budget));
            Assert.That(largerPeak, Is.GreaterThan(budget), "the next larger tile would not fit: the largest is chosen");
            Assert.That(recorded, Is.LessThanOrEqualTo(budget), "the decode run with the chosen tiling stays within the budget");
            Assert.That(VaeDecodeMemory.Choose(config, frames, height, width, 2, CudaBackend.DefaultConvColumnBytes, whole), Is.Null, "whole frames when they fit");
        });
    }

    [Test]
    public void ABudgetUnderEveryTilingIsRefusedNamingTheLeastOne()
    {
        var config = ShapeOnlyVaeWeights.Wan21;
        const long columns = CudaBackend.DefaultConvColumnBytes;
        var (tile, least) = Enumerable.Range(VaeDecodeMemory.MinimumTileLatentPixels, 160 - VaeDecodeMemory.MinimumTileLatentPixels)
            .Select(t => (Tile: t, Bytes: VaeDecodeMemory.PeakBytes(config, 21, 90, 160, VaeDecodeMemory.TilingOf(t), 2, columns)))
            .MinBy(p => p.Bytes);
        TestContext.Out.WriteLine($"720p × 81 (latent 21×90×160), bf16: the least tiled peak is {least / 1e9:F3} GB with tiles of {tile}");
        Assert.Multiple(() =>
        {
            Assert.That(() => VaeDecodeMemory.Choose(config, 21, 90, 160, 2, columns, least - 1),
                Throws.TypeOf<RequestException>().With.Message.Contains("vae-memory").And.Message.Contains($"needs is {least / 1e9:0.###} GB")
                    .And.Message.Contains($"tiles of {tile} latent pixels"));
            Assert.That(VaeDecodeMemory.Choose(config, 21, 90, 160, 2, columns, least)?.TileLatentPixels, Is.GreaterThanOrEqualTo(tile));
        });
    }

    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheEngineBudgetTilesTheDecodeAndExcludesAnExplicitTiling(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        Assert.That(() => Wan.Runtime.Engine.WanEngine.Open(set.Diffusers, new Wan.Runtime.Engine.EngineOptions
        {
            Device = Wan.Runtime.Engine.EngineDevice.Cpu, VaeTiling = new VaeTiling(8, 2), VaeMemoryBytes = 1L << 30,
        }), Throws.ArgumentException.With.Message.Contains("exclude each other"));
        using var engine = Wan.Runtime.Engine.WanEngine.Open(set.Diffusers, new Wan.Runtime.Engine.EngineOptions
        {
            Device = Wan.Runtime.Engine.EngineDevice.Cpu, VaeMemoryBytes = 22_000_000,
        });
        var vae = engine.Pipeline.Vae;
        Assert.Multiple(() =>
        {
            Assert.That(vae.MemoryBudgetBytes, Is.EqualTo(22_000_000));
            Assert.That(vae.TilingFor(2, 16, 24), Is.EqualTo(VaeDecodeMemory.TilingOf(10)), "fp32 on the CPU: the largest tile within 22 MB (as the CLI test)");
            Assert.That(vae.TilingFor(1, 2, 2), Is.Null, "a latent whose whole frames fit is not tiled");
            Assert.That(() => vae.TilingFor(21, 90, 160), Throws.TypeOf<RequestException>().With.Message.Contains("least any tiling needs"));
        });
    }

    private static void AssertBound(long recorded, long modelled)
    {
        Assert.Multiple(() =>
        {
            Assert.That(modelled, Is.GreaterThanOrEqualTo(recorded), "the model is an upper bound");
            Assert.That(modelled, Is.LessThanOrEqualTo(Factor * recorded), $"the model is within {Factor}× of the recording");
        });
    }

    /// <summary>
    /// The decode of a latent [z_dim, F, H, W] on the dry-run device (bf16), as the pipeline runs it: every chunk checked for
    /// NaN/Inf and copied to the host, then freed. Peak: over what was live once the weights and the latent were on the device.
    /// </summary>
    private static (long Recorded, long Modelled) Measure(string? vaeDirectory, VaeConfig config, int frames, int height, int width, VaeTiling? tiling)
    {
        using var device = new DryRunDevice();
        using var backend = new CudaBackend(device, DType.BF16);
        using var source = vaeDirectory is null ? new ShapeOnlyVaeWeights(config, "shape-only VAE") : null;
        using var vae = source is null ? WanVae.Load(backend, vaeDirectory!) : WanVae.Load(backend, config, source);
        vae.Tiling = tiling;
        var shape = new Shape(config.ZDim, frames, height, width);
        using var z = backend.FromHost(new float[shape.ElementCount], shape);
        device.Log.ResetPeak();
        long before = device.Log.LiveBytes;
        foreach (var chunk in vae.DecodeChunks(z))
        {
            using (chunk)
            {
                backend.CountNonFinite(chunk);
                backend.ToHost(chunk);
            }
        }
        long recorded = device.Log.PeakBytes - before;
        long modelled = VaeDecodeMemory.PeakBytes(config, frames, height, width, tiling, 2, backend.ConvColumnBytes);
        TestContext.Out.WriteLine($"latent {shape}, tiles {tiling?.TileLatentPixels.ToString() ?? "none"}: recorded {recorded / 1e6:F2} MB, modelled {modelled / 1e6:F2} MB ({(double)modelled / recorded:F2}×)");
        return (recorded, modelled);
    }
}
