using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Models.Vae;

/// <summary>
/// Tiled decoding proven exact where it can be (CPU backend, fp32): with the mid-block attention made the identity
/// (<see cref="LocalVae"/>) the decoder is local, its reach is what the conv stack says (measured by perturbing one
/// latent column), and tiles whose weight-0 margin covers that reach decode the untiled video within the fixture's
/// fp32 tolerance — while a margin below the reach, no margin (the diffusers blend) or tiles pasted without a blend
/// fail the same check. With the attention on (the fixture as it is), tiles are not exact: reported and asserted.
/// </summary>
[Category("Golden")]
public sealed class VaeSeamTests
{
    /// <summary>Latent width of the seam tests: three tiles of the exact tiling (74 + 2·37 for the Wan2.1 layout).</summary>
    private static int ThreeTiles(VaeTiling t) => t.TileLatentPixels + 2 * (t.TileLatentPixels - t.OverlapLatentPixels);

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheConvolutionReachIsHowFarOneLatentColumnReaches(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var local = new LocalVae(set);
        using var backend = new CpuBackend();
        using var localVae = WanVae.Load(backend, local.VaeDirectory);
        using var globalVae = WanVae.Load(backend, Path.Combine(set.Diffusers, "vae"));
        int reach = localVae.ConvolutionReachVideoPixels, scale = localVae.Config.SpatialScale;
        int width = 2 * (reach / scale) + 12, column = width / 2;
        var shape = new Shape(localVae.Config.ZDim, 2, 2, width);
        var latent = LocalVae.Latent(11, shape.ElementCount);
        var poked = (float[])latent.Clone();
        for (long i = column; i < poked.Length; i += width)
        {
            poked[i] += 3f;
        }
        var local0 = Changed(localVae);
        var global0 = Changed(globalVae);
        TestContext.Out.WriteLine($"{set}: conv stack reach {reach} video pixels; latent column {column} changes video columns {local0.First}..{local0.Last} (local decoder), {global0.First}..{global0.Last} (attention on)");
        Assert.Multiple(() =>
        {
            Assert.That(reach, Is.EqualTo(ReachFromConfig(localVae.Config)), "the layers' walk agrees with the layout's formula");
            Assert.That(local0, Is.EqualTo((column * scale - reach, (column + 1) * scale - 1 + reach)), "the changed columns are exactly the computed reach");
            Assert.That(global0, Is.EqualTo((0, width * scale - 1)), "with the attention every column of the frame changes");
        });

        (int First, int Last) Changed(WanVae vae)
        {
            using var a = backend.FromHost(latent, shape);
            using var b = backend.FromHost(poked, shape);
            using var va = vae.Decode(a);
            using var vb = vae.Decode(b);
            var x = backend.ToHost(va);
            var y = backend.ToHost(vb);
            int w = va.Shape[3], first = int.MaxValue, last = -1;
            for (long i = 0; i < x.Length; i++)
            {
                if (x[i] != y[i])
                {
                    int col = (int)(i % w);
                    (first, last) = (Math.Min(first, col), Math.Max(last, col));
                }
            }
            return (first, last);
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TilesWhoseMarginCoversTheReachAreExactAndSmallerMarginsAreNot(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var local = new LocalVae(set);
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, local.VaeDirectory);
        int reach = vae.ConvolutionReachVideoPixels, scale = vae.Config.SpatialScale;
        var exact = LocalVae.WithMargin(reach, scale);
        int width = ThreeTiles(exact);
        var shape = new Shape(vae.Config.ZDim, 2, 3, width);
        using var z = backend.FromHost(LocalVae.Latent(12, shape.ElementCount), shape);
        var untiled = Decode(vae, backend, z, null);
        double tolerance = set.Cases.Where(c => c.Kind == "vae_decode").Min(c => c.Tolerance("fp32"));

        double Error(VaeTiling tiling) => Metrics.RelativeL2(Decode(vae, backend, z, tiling), untiled);
        // Two latent pixels of margin (16 video pixels at scale 8), an eighth of the Wan2.1 reach. The zero padding's effect
        // decays with depth (on the fixture about ×0.7 per 4 video pixels), so a margin well under the reach is needed
        // for the check to fail: 36 pixels of margin already reach 1.1e-4, 40 pixels 5.9e-5 (docs/engine.md).
        var below = new VaeTiling(exact.TileLatentPixels, exact.OverlapLatentPixels, exact.OverlapLatentPixels - 4);
        var noMargin = new VaeTiling(exact.TileLatentPixels, exact.OverlapLatentPixels);
        double exactError = Error(exact), belowError = Error(below), noMarginError = Error(noMargin);
        double pastedError = Metrics.RelativeL2(Pasted(vae, backend, z, exact), untiled);
        TestContext.Out.WriteLine($"{set}: latent {shape}, reach {reach} px; tiles {exact.TileLatentPixels}/{exact.OverlapLatentPixels}/{exact.BlendLatentPixels}: " +
            $"margin {exact.MarginVideoPixels(scale)} px rel L2 {exactError:E2}; margin {below.MarginVideoPixels(scale)} px {belowError:E2}; " +
            $"margin 0 (diffusers ramp) {noMarginError:E2}; pasted, no ramp {pastedError:E2} (tolerance {tolerance:E1})");
        Assert.Multiple(() =>
        {
            Assert.That(exact.MarginVideoPixels(scale), Is.GreaterThanOrEqualTo(reach));
            Assert.That(below.MarginVideoPixels(scale), Is.LessThan(reach));
            Assert.That(exactError, Is.LessThanOrEqualTo(tolerance), "a margin covering the reach: the untiled video");
            Assert.That(belowError, Is.GreaterThan(tolerance), "a margin of an eighth of the reach must fail the same check");
            Assert.That(noMarginError, Is.GreaterThan(tolerance), "a ramp over the whole overlap must fail the same check");
            Assert.That(pastedError, Is.GreaterThan(tolerance), "tiles pasted without a blend must fail the same check");
        });
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    public void OneTileCoveringTheLatentIsTheUntiledVideoBitForBit(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var zInfo = golden.Get("z");
        using var z = backend.FromHost(zInfo.ToFloatArray(), zInfo.Shape);
        int side = Math.Max(zInfo.Shape[2], zInfo.Shape[3]);
        var whole = Decode(vae, backend, z, null);
        var oneTile = Decode(vae, backend, z, new VaeTiling(Math.Max(2, side), 1));
        Assert.That(oneTile, Is.EqualTo(whole), "a single tile is decoded, weighted by 1 and placed where it was cut");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void WithTheAttentionOnTilesAreNotExact(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, Path.Combine(set.Diffusers, "vae"));
        var exact = LocalVae.WithMargin(vae.ConvolutionReachVideoPixels, vae.Config.SpatialScale);
        var shape = new Shape(vae.Config.ZDim, 2, 3, ThreeTiles(exact));
        using var z = backend.FromHost(LocalVae.Latent(12, shape.ElementCount), shape);
        var untiled = Decode(vae, backend, z, null);
        double error = Metrics.RelativeL2(Decode(vae, backend, z, exact), untiled);
        double tolerance = set.Cases.Where(c => c.Kind == "vae_decode").Min(c => c.Tolerance("fp32"));
        // The attention mixes every pixel of the frame; a tile attends over its own window only. With the fixture's
        // random weights the attention's share of the residual stream is large, so the difference is too.
        TestContext.Out.WriteLine($"{set}: attention on, the tiling exact without it: tiled vs untiled rel L2 {error:E3}");
        Assert.That(error, Is.GreaterThan(tolerance), "the attention is global: a tile sees only its window");
    }

    /// <summary>
    /// The Wan2.1 decoder layout's reach from its config alone: conv_in (1) and the mid block's four 3×3 convs at latent
    /// resolution, 2·(num_res_blocks + 1) convs per stage, each upsampler doubling the reach and adding its conv's 1, conv_out's 1.
    /// </summary>
    private static int ReachFromConfig(Wan.Runtime.Config.VaeConfig config)
    {
        int reach = 1 + 4;
        for (int stage = 0; stage < config.DimMult.Count; stage++)
        {
            reach += 2 * (config.NumResBlocks + 1);
            if (stage < config.DimMult.Count - 1)
            {
                reach = 2 * reach + 1;
            }
        }
        return reach + 1;
    }

    private static float[] Decode(WanVae vae, CpuBackend backend, Tensor z, VaeTiling? tiling)
    {
        vae.Tiling = tiling;
        try
        {
            using var video = vae.Decode(z);
            return backend.ToHost(video);
        }
        finally
        {
            vae.Tiling = null;
        }
    }

    /// <summary>Each tile (along the width) decoded alone and pasted over the previous ones: later tiles win every overlap.</summary>
    private static float[] Pasted(WanVae vae, CpuBackend backend, Tensor z, VaeTiling tiling)
    {
        int scale = vae.Config.SpatialScale, h = z.Shape[2], w = z.Shape[3];
        float[]? video = null;
        int planes = 0, height = h * scale, width = w * scale;
        foreach (var (start, length) in tiling.Spans(w))
        {
            using var window = backend.CropFrames(z, 0, start, h, length);
            var tile = Decode(vae, backend, window, null);
            int tileWidth = length * scale;
            planes = tile.Length / (height * tileWidth);
            video ??= new float[(long)planes * height * width];
            for (long row = 0; row < (long)planes * height; row++)
            {
                Array.Copy(tile, row * tileWidth, video, row * width + start * scale, tileWidth);
            }
        }
        return video!;
    }
}
