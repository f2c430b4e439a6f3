using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Planning;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Testing;

namespace Wan.Runtime.Tests.Planning;

/// <summary>
/// The text encoder and VAE decode recorded on the dry-run device: the shape-only umT5 and VAE weights name and shape
/// every tensor a real checkpoint holds (the fixture's, at its config); the recorded decode's GEMM FLOPs equal the count
/// from the Wan2.1 decoder's conv and attention shapes, latent frame by latent frame (official <c>vae2_1.py</c>: the first
/// chunk skips the upsamplers' time conv), and differ from a count that forgets that rule.
/// </summary>
public sealed class DryRunComponentsTests
{
    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ShapeOnlyWeightsNameAndShapeEveryTensorOfTheCheckpoints(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var umt5 = Path.Combine(set.Diffusers, "text_encoder");
        var vae = Path.Combine(set.Diffusers, "vae");
        using var umt5Shapes = new ShapeOnlyUmt5Weights(Umt5Config.Load(umt5), "shape-only umT5");
        using var vaeShapes = new ShapeOnlyVaeWeights(VaeConfig.Load(Path.Combine(vae, "config.json")), "shape-only VAE");
        Assert.Multiple(() =>
        {
            Assert.That(Shapes(umt5Shapes), Is.EquivalentTo(Shapes(umt5)), "umT5");
            Assert.That(Shapes(vaeShapes), Is.EquivalentTo(Shapes(vae)), "VAE");
        });
    }

    [TestCase(3, 4, 6)]
    [TestCase(2, 2, 2)]
    public void RecordedDecodeGemmFlopsEqualTheConvAndAttentionShapes(int frames, int height, int width)
    {
        var config = ShapeOnlyVaeWeights.Wan21;
        int[] latent = [config.ZDim, frames, height, width];
        var decode = RecordDecode(null, latent);
        double expected = AnalyticDecodeFlops(config, latent, timeConvOnFirstChunk: false);
        TestContext.Progress.WriteLine($"latent [{string.Join(", ", latent)}]: recorded {decode.Stage.Flops:E6} FLOP in {decode.Stage.Gemms} GEMMs, analytic {expected:E6}");
        Assert.Multiple(() =>
        {
            Assert.That(decode.Stage.Source, Is.EqualTo("recorded"));
            Assert.That(decode.Stage.Flops, Is.EqualTo(expected).Within(1e-12).Percent);
            Assert.That(decode.Stage.Flops, Is.Not.EqualTo(AnalyticDecodeFlops(config, latent, timeConvOnFirstChunk: true)).Within(1e-6).Percent,
                "the check flags a count with the time conv on the first chunk");
            Assert.That(decode.WeightBytes, Is.EqualTo(new ShapeOnlyVaeWeights(config, "VAE").Bytes + 4L * config.ZDim * 2),
                "every VAE weight on the device, BF16, and the four latent scaling vectors");
            Assert.That(decode.Stage.PeakBytes, Is.GreaterThan(decode.WeightBytes), "the peak holds the weights and the activations");
        });
    }

    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void RecordedDecodeOfTheFixtureVaeEqualsItsConvAndAttentionShapes(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var config = VaeConfig.Load(Path.Combine(set.Diffusers, "vae", "config.json"));
        int[] latent = [config.ZDim, 3, 4, 6];
        var decode = RecordDecode(set.Diffusers, latent);
        Assert.That(decode.Stage.Flops, Is.EqualTo(AnalyticDecodeFlops(config, latent, timeConvOnFirstChunk: false)).Within(1e-12).Percent);
    }

    private static RecordedComponent RecordDecode(string? dir, int[] latent)
    {
        using var device = new DryRunDevice();
        using var backend = new CudaBackend(device, DType.BF16);
        return DryRunComponents.Decode(device.Log, backend, dir, latent, GpuSpec.H100);
    }

    /// <summary>
    /// GEMM FLOPs (2·M·N·K) of the Wan2.1 decoder from its shapes alone: post_quant_conv on the whole latent, then per latent frame
    /// conv_in, the middle (2 residual blocks, per-frame single-head attention over H·W pixels: two GEMMs unless the fused attention
    /// kernel takes its width, as for the fixture's 16 channels; Wan2.1's 384 are wider), the up stages (residual blocks;
    /// the upsampler's time conv doubling the frames from the second chunk on, nearest 2× and a 3×3 conv), conv_out.
    /// </summary>
    private static double AnalyticDecodeFlops(VaeConfig c, int[] latent, bool timeConvOnFirstChunk)
    {
        int z = c.ZDim, stages = c.DimMult.Count;
        var up = new[] { c.DimMult[^1] }.Concat(c.DimMult.Reverse()).Select(m => m * c.BaseDim).ToArray();
        var temporalUp = c.TemporalDownsample.Reverse().ToArray();
        double flops = 2.0 * z * z * latent[1] * latent[2] * latent[3];
        for (int f = 0; f < latent[1]; f++)
        {
            double t = 1, h = latent[2], w = latent[3];
            double Conv(int cout, int cin, int taps) => 2.0 * cout * cin * taps * t * h * w;
            double Residual(int cin, int cout) => Conv(cout, cin, 27) + Conv(cout, cout, 27) + (cin == cout ? 0 : Conv(cout, cin, 1));
            double Attention(int d) => Conv(3 * d, d, 1) + (AttentionOps.Supports(ElementType.BF16, d) ? 0 : t * 2 * (2.0 * h * w * h * w * d)) + Conv(d, d, 1);
            flops += Conv(up[0], z, 27) + Residual(up[0], up[0]) + Attention(up[0]) + Residual(up[0], up[0]);
            for (int i = 0; i < stages; i++)
            {
                int inDim = i == 0 ? up[0] : up[i] / 2, outDim = up[i + 1];
                for (int j = 0; j <= c.NumResBlocks; j++)
                {
                    flops += Residual(j == 0 ? inDim : outDim, outDim);
                }
                if (i == stages - 1)
                {
                    continue;
                }
                if (temporalUp[i] && (f > 0 || timeConvOnFirstChunk))
                {
                    flops += Conv(2 * outDim, outDim, 3);
                    t *= 2;
                }
                (h, w) = (2 * h, 2 * w);
                flops += Conv(outDim / 2, outDim, 9);
            }
            flops += Conv(c.OutChannels, up[^1], 27);
        }
        return flops;
    }

    private static Dictionary<string, string> Shapes(ITensorSource source) => source.Names.ToDictionary(n => n, n => source.Get(n).Shape.ToString());

    private static Dictionary<string, string> Shapes(string directory)
    {
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        return Shapes((ITensorSource)checkpoint);
    }
}
