using Wan.Errors;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary><see cref="GenerationRequest.AttentionWindow"/> through the whole pipeline on every fixture model (CPU).</summary>
[Category("Golden")]
public class AttentionWindowPipelineTests
{
    private static readonly GenerationRequest Request = new()
    {
        Prompt = "waves on a beach",
        Frames = 21,
        Height = 32,
        Width = 32,
        Steps = 2,
        Seed = 2,
    };

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AnAttentionWindowOverEveryFrameGivesTheFullResultAndANarrowOneDoesNot(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var full = engine.Generate(Request).Latent;
        Assert.That(engine.Generate(Request with { AttentionWindow = 5 }).Latent, Is.EqualTo(full), "6 latent frames, radius 5 covers all");
        Assert.That(engine.Generate(Request with { AttentionWindow = 1 }).Latent, Is.Not.EqualTo(full));
        var e = Assert.Throws<RequestException>(() => engine.Generate(Request with { AttentionWindow = -1 }));
        Assert.That(e!.Message, Does.Contain("attention-window -1: must be at least 0"));
        var window = Assert.Throws<RequestException>(() => engine.Generate(Request with { WindowFrames = 80 }));
        Assert.That(window!.Message, Does.Contain("window 80: must be 4k+1 video frames"));
    }
}
