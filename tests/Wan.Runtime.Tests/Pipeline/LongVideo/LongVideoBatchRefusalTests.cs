using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>Batched generation does not run the long-video loops: a request asking for them is refused, not silently generated without them.</summary>
[Category("Golden")]
public class LongVideoBatchRefusalTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void LongVideoRequestsAreRefusedInABatch(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var plain = new GenerationRequest { Prompt = "a cat", Frames = 9, Height = 32, Width = 32, Steps = 1 };
        foreach (var request in new[] { plain with { ChunkFrames = 1 }, plain with { AttentionWindow = 1 }, plain with { WindowFrames = 5, OverlapFrames = 1 } })
        {
            Assert.That(() => engine.GenerateBatch([plain, request]),
                Throws.ArgumentException.With.Message.StartsWith("request 1: long-video settings (chunked generation, attention window, several context windows) are not batched yet"),
                request.ToString());
        }
    }
}
