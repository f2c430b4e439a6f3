using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline;

/// <summary>Cancellation, progress and argument checks of the whole pipeline on every fixture model.</summary>
[Category("Golden")]
public class PipelineBehaviourTests
{
    private static readonly EngineOptions Cpu = new() { Device = EngineDevice.Cpu };

    private static GenerationRequest SmallRequest => new()
    {
        Prompt = "a lighthouse at night",
        Frames = 5,
        Height = 32,
        Width = 32,
        Steps = 4,
        Seed = 3,
    };

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void CancellationStopsBetweenStepsAndReportsNothingAfter(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        using var cts = new CancellationTokenSource();
        var steps = new List<int>();
        Assert.Throws<OperationCanceledException>(() => engine.Generate(SmallRequest, p =>
        {
            if (p.Stage == GenerationStage.Denoising)
            {
                steps.Add(p.Step);
                if (p.Step == 2)
                {
                    cts.Cancel();
                }
            }
            else
            {
                Assert.That(p.Stage, Is.EqualTo(GenerationStage.EncodingText), "nothing is decoded after cancellation");
            }
        }, cts.Token));
        Assert.That(steps, Is.EqualTo(new[] { 1, 2 }));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ProgressCoversEveryStageAndTheSeedIsReproducible(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var events = new List<GenerationProgress>();
        var first = engine.Generate(SmallRequest, events.Add);
        var second = engine.Generate(SmallRequest);
        var other = engine.Generate(SmallRequest with { Seed = 4 });

        Assert.That(events.Select(e => (e.Stage, e.Step)), Is.EqualTo(new[]
        {
            (GenerationStage.EncodingText, 0),
            (GenerationStage.Denoising, 1), (GenerationStage.Denoising, 2), (GenerationStage.Denoising, 3), (GenerationStage.Denoising, 4),
            (GenerationStage.Decoding, 1), (GenerationStage.Decoding, 2),
        }));
        Assert.That(events.Where(e => e.Stage == GenerationStage.Denoising).Select(e => e.Expert), Has.All.Not.Null);
        Assert.That(first.Video.Frames, Is.EqualTo(5));
        Assert.That((first.Video.Width, first.Video.Height), Is.EqualTo((32, 32)));
        Assert.That(second.Latent, Is.EqualTo(first.Latent), "same seed, same latent");
        Assert.That(second.Video.Rgb, Is.EqualTo(first.Video.Rgb));
        Assert.That(other.Latent, Is.Not.EqualTo(first.Latent), "another seed, another latent");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void SingleExpertLayoutRunsTheOnlyTransformerAtEveryStep(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var dir = Directory.CreateTempSubdirectory("wan-single-expert-").FullName;
        try
        {
            // A Wan2.1-style layout: model_index.json without boundary_ratio / transformer_2.
            foreach (var component in new[] { "transformer", "text_encoder", "tokenizer", "vae", "scheduler" })
            {
                Directory.CreateSymbolicLink(Path.Combine(dir, component), Path.Combine(set.Diffusers, component));
            }
            var index = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(set.Diffusers, "model_index.json")))!.AsObject();
            index.Remove("boundary_ratio");
            index.Remove("transformer_2");
            File.WriteAllText(Path.Combine(dir, "model_index.json"), index.ToJsonString());

            using var engine = WanEngine.Open(dir, Cpu);
            Assert.That(engine.Pipeline.LowNoise, Is.Null);
            var experts = new List<string?>();
            var result = engine.Generate(SmallRequest, p =>
            {
                if (p.Stage == GenerationStage.Denoising)
                {
                    experts.Add(p.Expert);
                }
            });
            Assert.That(experts, Is.EqualTo(Enumerable.Repeat("transformer", SmallRequest.Steps)));
            Assert.That(result.Latent.All(float.IsFinite));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void CallerNoiseOfTheWrongSizeIsRejected(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var ex = Assert.Throws<Wan.Errors.RequestException>(() => engine.Generate(SmallRequest with { Noise = new float[10] }));
        Assert.That(ex!.Message, Does.Contain("10 values"));
    }

    [Test]
    public void NoiseGeneratorIsStandardNormalAndDeterministic()
    {
        var a = NoiseGenerator.StandardNormal(42, 100_001);
        Assert.That(NoiseGenerator.StandardNormal(42, 100_001), Is.EqualTo(a));
        double mean = a.Average(v => (double)v);
        double variance = a.Average(v => (v - mean) * (v - mean));
        Assert.That(mean, Is.EqualTo(0).Within(0.01));
        Assert.That(variance, Is.EqualTo(1).Within(0.02));
    }

    [Test]
    public void ExpertScheduleSwitchesAtTheBoundary()
    {
        var two = new ExpertSchedule(0.875, 1000, 3.0, 4.0);
        Assert.Multiple(() =>
        {
            Assert.That(two.IsHighNoise(875), Is.True);
            Assert.That(two.IsHighNoise(874), Is.False);
            Assert.That(two.Guidance(900), Is.EqualTo(4.0));
            Assert.That(two.Guidance(500), Is.EqualTo(3.0));
            var single = new ExpertSchedule(null, 1000, 5.0, 5.0);
            Assert.That(single.IsHighNoise(999), Is.False);
            Assert.That(single.Guidance(999), Is.EqualTo(5.0));
        });
    }
}
