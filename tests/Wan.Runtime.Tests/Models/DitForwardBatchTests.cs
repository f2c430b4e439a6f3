using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Models;

/// <summary>
/// <c>WanTransformer.ForwardBatch</c> on the CPU: three samples with their own latents, timesteps (one
/// fractional) and texts give, row for row, the bits of <c>Forward</c> on each sample alone; batches that
/// do not describe themselves consistently are refused.
/// </summary>
[Category("Golden")]
public sealed class DitForwardBatchTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void EachRowOfABatchedForwardEqualsTheForwardOfThatSampleAlone(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var p = engine.Pipeline;
        var dit = p.HighNoise;
        var b = dit.Backend;
        var shape = new Shape(dit.Config.InChannels, 2, 4, 6);
        int size = (int)shape.ElementCount;
        double[] timesteps = [999, 875.5, 3];
        using var c0 = p.EncodeText(p.Tokenize("a cat"));
        using var c1 = p.EncodeText(p.Tokenize("a dog on a beach at dawn"));
        using var t0 = dit.PrepareText(c0);
        using var t1 = dit.PrepareText(c1);
        var texts = new[] { t0, t1, t0 };
        var latents = Enumerable.Range(0, 3).Select(i => NoiseGenerator.StandardNormal(40 + i, size)).ToArray();
        using var stacked = b.FromHost(latents.SelectMany(l => l).ToArray(), new Shape(3, size));
        using var batched = dit.ForwardBatch(stacked, shape, timesteps, texts);
        var rows = b.ToHost(batched);
        for (int s = 0; s < 3; s++)
        {
            using var x = b.FromHost(latents[s], shape);
            using var alone = dit.Forward(x, timesteps[s], texts[s]);
            var expected = b.ToHost(alone);
            Assert.That(rows.AsSpan(s * size, size).ToArray(), Is.EqualTo(expected), $"sample {s} (t={timesteps[s]})");
            Assert.That(expected.Any(v => v != 0f), $"sample {s}: a real prediction");
        }

        var fewTexts = Assert.Throws<ArgumentException>(() => dit.ForwardBatch(stacked, shape, timesteps, [t0, t1]))!;
        Assert.That(fewTexts.Message, Does.StartWith("batched forward: latents [3, 768], 3 timesteps and 2 texts do not describe one batch"));
        if (p.LowNoise is { } low)
        {
            using var foreign = low.PrepareText(c0);
            var error = Assert.Throws<ArgumentException>(() => dit.ForwardBatch(stacked, shape, timesteps, [t0, foreign, t1]))!;
            Assert.That(error.Message, Is.EqualTo("batched forward: a text context was prepared by another DiT expert"));
        }
    }
}
