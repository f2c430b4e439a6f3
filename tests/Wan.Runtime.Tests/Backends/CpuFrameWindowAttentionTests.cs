using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

/// <summary>Sliding-window attention over latent frames on the CPU backend.</summary>
public class CpuFrameWindowAttentionTests
{
    private readonly RandomData _r = new();
    private const int Heads = 2, HeadDim = 8, Dim = Heads * HeadDim;

    /// <summary>Full attention with −∞ added outside each query frame's window: the masked reference.</summary>
    private static float[] MaskedReference(CpuBackend b, float[] q, float[] k, float[] v, int frames, int tokens, int radius, float scale)
    {
        int l = frames * tokens;
        var mask = new float[Heads * l * l];
        for (int h = 0; h < Heads; h++)
        {
            for (int i = 0; i < l; i++)
            {
                for (int j = 0; j < l; j++)
                {
                    mask[((long)h * l + i) * l + j] = Math.Abs(i / tokens - j / tokens) <= radius ? 0f : float.NegativeInfinity;
                }
            }
        }
        var spec = new AttentionSpec(Heads, scale, l, Bias: b.FromHost(mask, new Shape(Heads, l, l)));
        return b.ToHost(b.Attention(b.FromHost(q, new Shape(l, Dim)), b.FromHost(k, new Shape(l, Dim)), b.FromHost(v, new Shape(l, Dim)), spec));
    }

    private static float[] Windowed(CpuBackend b, float[] q, float[] k, float[] v, int frames, int tokens, int? radius, float scale)
    {
        int l = frames * tokens;
        var spec = new AttentionSpec(Heads, scale, l, FrameWindow: radius is { } r ? new AttentionFrameWindow(tokens, r) : null);
        return b.ToHost(b.Attention(b.FromHost(q, new Shape(l, Dim)), b.FromHost(k, new Shape(l, Dim)), b.FromHost(v, new Shape(l, Dim)), spec));
    }

    [TestCase(7, 5, 0)]
    [TestCase(7, 5, 1)]
    [TestCase(9, 3, 2)]
    [TestCase(21, 4, 3)]
    public void MatchesTheMaskedReference(int frames, int tokens, int radius)
    {
        using var b = new CpuBackend();
        int l = frames * tokens;
        var (q, k, v) = (_r.Normal(l * Dim), _r.Normal(l * Dim), _r.Normal(l * Dim));
        float scale = 1f / MathF.Sqrt(HeadDim);
        var windowed = Windowed(b, q, k, v, frames, tokens, radius, scale);
        var error = Metrics.AssertClose(windowed, MaskedReference(b, q, k, v, frames, tokens, radius, scale), 1e-6, "windowed vs masked");
        TestContext.Out.WriteLine($"{frames} frames × {tokens} tokens, radius {radius}: relative L2 {error:E2}");
        Assert.That(Metrics.RelativeL2(windowed, Windowed(b, q, k, v, frames, tokens, null, scale)), Is.GreaterThan(1e-3), "the window changes the result");
    }

    [TestCase(6)]
    [TestCase(100)]
    public void AWindowCoveringEveryFrameIsFullAttentionBitForBit(int radius)
    {
        using var b = new CpuBackend();
        const int frames = 7, tokens = 5, l = frames * tokens;
        var (q, k, v) = (_r.Normal(l * Dim), _r.Normal(l * Dim), _r.Normal(l * Dim));
        Assert.That(Windowed(b, q, k, v, frames, tokens, radius, 0.3f), Is.EqualTo(Windowed(b, q, k, v, frames, tokens, null, 0.3f)));
    }

    [Test]
    public void KeysOutsideEveryWindowAreNeverRead()
    {
        using var b = new CpuBackend();
        const int frames = 7, tokens = 5, l = frames * tokens, radius = 1;
        var (q, k, v) = (_r.Normal(l * Dim), _r.Normal(l * Dim), _r.Normal(l * Dim));
        var clean = Windowed(b, q, k, v, frames, tokens, radius, 0.4f);
        // NaN keys and values in the last frame: queries of frames 0..4 do not see it.
        k.AsSpan((frames - 1) * tokens * Dim).Fill(float.NaN);
        v.AsSpan((frames - 1) * tokens * Dim).Fill(float.NaN);
        var poisoned = Windowed(b, q, k, v, frames, tokens, radius, 0.4f);
        int seen = (frames - 2) * tokens * Dim;
        Assert.That(poisoned.AsSpan(0, seen).ToArray(), Is.EqualTo(clean.AsSpan(0, seen).ToArray()), "frames 0..4 untouched");
        Assert.That(poisoned.Skip(seen), Has.All.NaN, "frames 5 and 6 attend to the poisoned frame");
        // The masked reference reads every key, so the poison reaches every row: this is what skipping avoids.
        Assert.That(MaskedReference(b, q, k, v, frames, tokens, radius, 0.4f).Take(Dim), Has.All.NaN);
    }

    [Test]
    public void ScoredPairsGrowLinearlyWithTheFrames()
    {
        var window = new AttentionFrameWindow(TokensPerFrame: 3600, Radius: 4);
        foreach (int frames in new[] { 21, 61, 121 })
        {
            double ratio = (double)window.ScoredPairs(2 * frames) / window.ScoredPairs(frames);
            double full = (double)new AttentionFrameWindow(3600, int.MaxValue / 2).ScoredPairs(2 * frames) / new AttentionFrameWindow(3600, int.MaxValue / 2).ScoredPairs(frames);
            TestContext.Out.WriteLine($"{frames} → {2 * frames} frames: windowed pairs ×{ratio:F3}, full ×{full:F3}");
            Assert.That(ratio, Is.InRange(2.0, 2.2), "doubling the frames about doubles the work");
            Assert.That(full, Is.EqualTo(4.0).Within(1e-12), "full attention quadruples");
        }
        Assert.That(window.ScoredPairs(1), Is.EqualTo(3600L * 3600));
    }

    [Test]
    public void AWindowOverTokensThatAreNotWholeFramesIsRefused()
    {
        using var b = new CpuBackend();
        var x = b.FromHost(_r.Normal(10 * Dim), new Shape(10, Dim));
        var e = Assert.Throws<ArgumentException>(() => b.Attention(x, x, x, new AttentionSpec(Heads, 1f, 10, FrameWindow: new AttentionFrameWindow(3, 1))));
        Assert.That(e!.Message, Does.Contain("whole frames of 3 tokens"));
    }
}
