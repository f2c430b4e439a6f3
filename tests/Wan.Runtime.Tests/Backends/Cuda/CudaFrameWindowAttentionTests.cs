using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// Sliding-window attention over frames in attention.cu (emulated device) against the CPU backend's
/// windowed attention (itself checked against the masked reference): frames that are no multiple of
/// the 64-key tiles, several 128-row blocks, radius 0..2; a window over every frame runs the full
/// kernel bit for bit; NaN keys and values in tiles outside every window of a block never reach it.
/// </summary>
public sealed class CudaFrameWindowAttentionTests(DType storage) : EmulatedBackendFixture(storage)
{
    private const int Heads = 2, HeadDim = 32, Dim = Heads * HeadDim;

    private float[] Run(IBackend b, float[] q, float[] k, float[] v, int frames, int tokens, int? radius)
    {
        int l = frames * tokens;
        var shape = new Shape(l, Dim);
        using var qt = b.FromHost(q, shape);
        using var kt = b.FromHost(k, shape);
        using var vt = b.FromHost(v, shape);
        var spec = new AttentionSpec(Heads, 1f / MathF.Sqrt(HeadDim), l, FrameWindow: radius is { } r ? new AttentionFrameWindow(tokens, r) : null);
        using var o = b.Attention(qt, kt, vt, spec);
        return b.ToHost(o);
    }

    private float[] Input(int count) => Representable(Uniform(Random, count), Storage);

    [TestCase(9, 37, 1)]
    [TestCase(6, 64, 2)]
    [TestCase(5, 50, 0)]
    public void MatchesTheCpuWindowedAttention(int frames, int tokens, int radius)
    {
        int l = frames * tokens;
        var (q, k, v) = (Input(l * Dim), Input(l * Dim), Input(l * Dim));
        var expected = Run(Cpu, q, k, v, frames, tokens, radius);
        var actual = Run(Cuda, q, k, v, frames, tokens, radius);
        Assert.That(actual, Has.All.Not.NaN, "every row written");
        var error = AssertClose(actual, expected, Tolerance(Storage), $"{Storage} window {radius}");
        TestContext.Out.WriteLine($"{Storage}: {frames} frames × {tokens} tokens, radius {radius}: relative L2 {error:E2} (tolerance {Tolerance(Storage):E0})");
        Assert.That(RelativeL2(actual, Run(Cpu, q, k, v, frames, tokens, null)), Is.GreaterThan(10 * Tolerance(Storage)), "the window matters here");
    }

    [Test]
    public void AWindowOverEveryFrameIsTheFullKernelBitForBit()
    {
        const int frames = 4, tokens = 45, l = frames * tokens;
        var (q, k, v) = (Input(l * Dim), Input(l * Dim), Input(l * Dim));
        Assert.That(Run(Cuda, q, k, v, frames, tokens, frames - 1), Is.EqualTo(Run(Cuda, q, k, v, frames, tokens, null)));
    }

    [Test]
    public void TilesOutsideEveryWindowOfABlockAreNeverRead()
    {
        // Frames of 64 tokens = one key tile each; a 128-row block holds two frames. With radius 1 the
        // blocks of frames 0..5 never visit frame 7's tile, so NaN there cannot reach them.
        const int frames = 8, tokens = 64, l = frames * tokens;
        var (q, k, v) = (Input(l * Dim), Input(l * Dim), Input(l * Dim));
        var clean = Run(Cuda, q, k, v, frames, tokens, 1);
        k.AsSpan(7 * tokens * Dim).Fill(float.NaN);
        v.AsSpan(7 * tokens * Dim).Fill(float.NaN);
        var poisoned = Run(Cuda, q, k, v, frames, tokens, 1);
        int untouched = 6 * tokens * Dim;
        Assert.That(poisoned.AsSpan(0, untouched).ToArray(), Is.EqualTo(clean.AsSpan(0, untouched).ToArray()));
        Assert.That(poisoned.Skip(untouched), Has.Some.NaN, "frames 6 and 7 see the poisoned frame");
    }
}
