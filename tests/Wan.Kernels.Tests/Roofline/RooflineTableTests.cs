using Wan.Kernels.Roofline;

namespace Wan.Kernels.Tests.Roofline;

/// <summary>
/// The computed roofline of Wan2.2-T2V-A14B at 720p and 480p (81 frames): printed for docs/cuda.md,
/// with its totals checked against the closed forms of the model's FLOPs.
/// </summary>
public class RooflineTableTests
{
    private static readonly Accelerator[] Gpus = [Accelerator.H100, Accelerator.H200];

    [TestCase(720, 1280, 75_600)]
    [TestCase(480, 832, 32_760)]
    public void PrintsTheTableAndItsTotalsMatchTheClosedForm(int height, int width, long expectedTokens)
    {
        var s = DitShape.Wan22T2VA14B;
        long tokens = DitShape.Tokens(81, height, width);
        Assert.That(tokens, Is.EqualTo(expectedTokens));
        TestContext.Out.WriteLine($"## T2V-A14B {width}×{height}, 81 frames\n");
        TestContext.Out.WriteLine(RooflineTable.Format(s, tokens, Gpus));

        var rows = RooflineTable.PerForward(s, tokens);
        double l = tokens, d = s.Dim, f = s.FfnDim;
        double gemmFlops = rows.Where(r => r.Kind == "GEMM").Sum(r => r.Flops);
        double blockGemmFlops = s.Layers * 2 * l * (6 * d * d + 2 * d * f);
        double edgeGemmFlops = 2 * l * d * s.PatchValues * 2 + 2 * d * (s.FreqDim + 7 * d);
        Assert.Multiple(() =>
        {
            Assert.That(gemmFlops, Is.EqualTo(blockGemmFlops + edgeGemmFlops).Within(1e-9).Percent);
            Assert.That(rows.Single(r => r.Op.StartsWith("self-attention", StringComparison.Ordinal)).Flops,
                Is.EqualTo(4 * l * l * d * s.Layers).Within(1e-9).Percent);
            Assert.That(rows.Where(r => r.Kind == "GEMM").Sum(r => r.LaunchesPerForward), Is.EqualTo(8 * s.Layers + 5));
            Assert.That(Accelerator.H200.FloorSeconds(1e15, 1e9), Is.EqualTo(1e15 / 989e12).Within(1e-9).Percent, "compute-bound");
            Assert.That(Accelerator.H100.FloorSeconds(1e9, 1e12), Is.EqualTo(1e12 / 3.35e12).Within(1e-9).Percent, "memory-bound");
        });
    }
}
