using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// <see cref="WanEngine.GenerateBatch"/> on the CPU: requests with different prompts, seeds, step counts
/// and guidance (so at some steps they need different experts) give, bit for bit, the latents and videos
/// of <see cref="WanEngine.Generate"/> on each alone; a batch of two video sizes is refused naming both.
/// </summary>
[Category("Golden")]
public sealed class WanEngineBatchTests
{
    private static readonly GenerationRequest[] Requests =
    [
        new() { Prompt = "a lighthouse at night", Frames = 5, Height = 32, Width = 32, Steps = 4, Seed = 5 },
        new() { Prompt = "a red fox in the snow", NegativePrompt = "blurry", Frames = 5, Height = 32, Width = 32, Steps = 7, Seed = 6, GuidanceHigh = 5.0 },
    ];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ABatchOfRequestsEqualsEachRequestGeneratedAlone(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var steps = new List<(int Request, string? Expert)>();
        var batched = engine.GenerateBatch(Requests, (i, p) =>
        {
            if (p.Stage == GenerationStage.Denoising)
            {
                steps.Add((i, p.Expert));
            }
        });
        Assert.That(steps.Count(s => s.Request == 0), Is.EqualTo(4));
        Assert.That(steps.Count(s => s.Request == 1), Is.EqualTo(7));
        for (int i = 0; i < Requests.Length; i++)
        {
            var alone = engine.Generate(Requests[i]);
            Assert.That(batched[i].Latent, Is.EqualTo(alone.Latent), $"request {i}: latent");
            Assert.That(batched[i].Video.Rgb, Is.EqualTo(alone.Video.Rgb), $"request {i}: video");
        }
        Assert.That(batched[0].Latent, Is.Not.EqualTo(batched[1].Latent), "the two requests differ (the comparison can fail)");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ABatchOfTwoVideoSizesOrOfUnbatchedOptionsIsRefused(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var error = Assert.Throws<ArgumentException>(() => engine.GenerateBatch([Requests[0], Requests[0] with { Width = 48 }]))!;
        Assert.That(error.Message, Does.StartWith("request 1: latent [16, 2, 4, 6] differs from request 0's [16, 2, 4, 4]: a batch holds one video size"));
        var cached = Assert.Throws<ArgumentException>(() => engine.GenerateBatch([Requests[0], Requests[1] with { CacheThreshold = 0.1 }]))!;
        Assert.That(cached.Message, Does.StartWith("request 1: step caching (TeaCache) is not applied in batched generation yet"));
        var unguided = Assert.Throws<ArgumentException>(() => engine.GenerateBatch([Requests[0] with { GuidanceLow = 1, GuidanceHigh = 1 }]))!;
        Assert.That(unguided.Message, Does.StartWith("request 0: guidance 1 (no classifier-free guidance) is not batched yet"));
    }
}
