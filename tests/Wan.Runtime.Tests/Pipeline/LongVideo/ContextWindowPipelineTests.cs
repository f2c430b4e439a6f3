using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Runtime.Video;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>Context-window denoising, streamed decode and seams on every fixture model (CPU).</summary>
[Category("Golden")]
public class ContextWindowPipelineTests
{
    private static readonly EngineOptions Cpu = new() { Device = EngineDevice.Cpu };

    private static GenerationRequest Request(int frames) => new()
    {
        Prompt = "a lighthouse at night",
        Frames = frames,
        Height = 32,
        Width = 32,
        Steps = 3,
        Seed = 11,
    };

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AWindowCoveringTheWholeVideoReproducesTheSinglePassLoopBitForBit(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var pipeline = engine.Pipeline;
        var request = Request(17) with { WindowFrames = 17, OverlapFrames = 5 };
        var shape = request.LatentShape(engine.Pipeline.Geometry);
        var noise = NoiseGenerator.StandardNormal(request.Seed, shape.Aggregate(1, (a, b) => a * b));
        using var context = pipeline.EncodeText(pipeline.Tokenize(request.Prompt));
        using var negative = pipeline.EncodeText(pipeline.Tokenize(WanDefaults.NegativePrompt));
        var experts = new ExpertSchedule(pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, request.GuidanceLow, request.GuidanceHigh);

        // The loop Denoise ran before context windows: one guided prediction of the whole latent per step.
        var solver = FlowSolvers.Create(request.Solver, request.Steps, request.Shift);
        var expected = (float[])noise.Clone();
        var steps = new Dictionary<object, GuidedExpertStep>();
        try
        {
            for (int i = 0; i < solver.StepCount; i++)
            {
                double t = solver.ModelTimesteps[i];
                var dit = experts.IsHighNoise(t) || pipeline.LowNoise is null ? pipeline.HighNoise : pipeline.LowNoise;
                if (!steps.TryGetValue(dit, out var step))
                {
                    steps[dit] = step = new GuidedExpertStep(dit, context, negative, new Shape(shape), captureGraph: true, checkNonFinite: true);
                }
                solver.Step(step.Velocity(expected, t, (float)experts.Guidance(t), default).Velocity, i, expected);
            }
        }
        finally
        {
            foreach (var step in steps.Values)
            {
                step.Dispose();
            }
        }

        foreach (var windowFrames in new[] { 17, 81 })
        {
            var plan = (request with { WindowFrames = windowFrames }).ContextWindows(engine.Pipeline.Geometry);
            Assert.That(plan.Windows, Has.Count.EqualTo(1));
            var windowed = pipeline.Denoise(context, negative, noise, shape, FlowSolvers.Create(request.Solver, request.Steps, request.Shift), experts, windows: plan);
            Assert.That(windowed, Is.EqualTo(expected), $"window of {windowFrames} frames over 17");
        }
        var split = pipeline.Denoise(context, negative, noise, shape, FlowSolvers.Create(request.Solver, request.Steps, request.Shift), experts,
            windows: (request with { WindowFrames = 9, OverlapFrames = 5 }).ContextWindows(engine.Pipeline.Geometry));
        Assert.That(split, Is.Not.EqualTo(expected), "two windows of 3 latent frames are not the single pass");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AFrameSeesOnlyTheWindowsThatHoldIt(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        // 41 frames = 11 latent frames in windows of 5 with an overlap of 2: [0,5) [3,8) [6,11).
        var request = Request(41) with { Steps = 1, WindowFrames = 17, OverlapFrames = 5 };
        var shape = request.LatentShape(engine.Pipeline.Geometry);
        int plane = shape[2] * shape[3], frames = shape[1];
        var noise = NoiseGenerator.StandardNormal(5, shape.Aggregate(1, (a, b) => a * b));
        var changed = (float[])noise.Clone();
        for (int c = 0; c < shape[0]; c++)
        {
            changed.AsSpan((c * frames + frames - 1) * plane, plane).Fill(3f); // only the last latent frame differs
        }
        var first = engine.Generate(request with { Noise = noise });
        var second = engine.Generate(request with { Noise = changed });
        float[] Frames(float[] latent, int from, int to) =>
            [.. Enumerable.Range(0, shape[0]).SelectMany(c => latent.AsSpan((c * frames + from) * plane, (to - from) * plane).ToArray())];
        Assert.That(Frames(second.Latent, 0, 6), Is.EqualTo(Frames(first.Latent, 0, 6)), "latent frames 0..5 lie outside the last window");
        Assert.That(Frames(second.Latent, 6, 10), Is.Not.EqualTo(Frames(first.Latent, 6, 10)), "the last window saw the change");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ProgressReportsEveryWindowAndCancellationStopsBetweenWindows(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var request = Request(41) with { Steps = 2, WindowFrames = 17, OverlapFrames = 5 };
        var events = new List<GenerationProgress>();
        engine.Generate(request, events.Add);
        Assert.That(events.Where(e => e.Stage == GenerationStage.DenoisingWindow).Select(e => (e.Step, e.Window, e.WindowCount)),
            Is.EqualTo(new[] { (1, 1, 3), (1, 2, 3), (1, 3, 3), (2, 1, 3), (2, 2, 3), (2, 3, 3) }));

        using var cts = new CancellationTokenSource();
        var seen = new List<(GenerationStage, int)>();
        Assert.Throws<OperationCanceledException>(() => engine.Generate(request, p =>
        {
            seen.Add((p.Stage, p.Window));
            if (p.Stage == GenerationStage.DenoisingWindow && p.Window == 2)
            {
                cts.Cancel();
            }
        }, cts.Token));
        Assert.That(seen, Is.EqualTo(new[] { (GenerationStage.EncodingText, 0), (GenerationStage.DenoisingWindow, 1), (GenerationStage.DenoisingWindow, 2) }),
            "nothing after the window during which Ctrl-C came");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void StreamedDecodeGivesTheBytesOfTheWholeDecode(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var shape = new[] { 16, 4, 4, 6 };
        var latent = NoiseGenerator.StandardNormal(9, shape.Aggregate(1, (a, b) => a * b));
        var whole = VideoFrames.FromChannelsFirst(engine.Pipeline.DecodeRaw(latent, shape), 13, 32, 48);
        var decoded = new List<int>();
        var streamed = engine.Pipeline.DecodeVideo(latent, shape, 16, p => decoded.Add(p.Step));
        Assert.That((streamed.Frames, streamed.Height, streamed.Width), Is.EqualTo((13, 32, 48)));
        Assert.That(streamed.Rgb, Is.EqualTo(whole.Rgb));
        Assert.That(decoded, Is.EqualTo(new[] { 1, 2, 3, 4 }));
    }

    /// <summary>
    /// Seams of a 241-frame video (5 windows of 21 latent frames at 0, 10, ..., 40: overlaps of 11) on the fixture model:
    /// the temporal difference across each seam must stay within <see cref="SeamFactorBound"/> of the
    /// difference inside the windows, for both blendings (measured factors printed; docs/long-video.md).
    /// </summary>
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void SeamsStayWithinTheStatedFactorOfTheInsideDifference(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var latents = new List<float[]>();
        foreach (var blending in new[] { WindowBlending.RaisedCosine, WindowBlending.Linear })
        {
            var request = Request(241) with { Steps = 4, Blending = blending };
            var plan = request.ContextWindows(engine.Pipeline.Geometry);
            Assert.That(plan.Windows, Has.Count.EqualTo(5));
            var result = engine.Generate(request);
            latents.Add(result.Latent);
            var report = SeamReport.Measure(result.Video, plan);
            TestContext.Out.WriteLine($"{set} {blending}: seam factors {string.Join(", ", report.Seams.Select(s => s.Factor.ToString("F3")))}, " +
                                      $"inside mean {report.InsideMeanTemporalDifference:F2}, worst colour drift {report.Windows.Max(w => w.RgbDriftFromFirst.Max(Math.Abs)):F2}");
            Assert.That(report.WorstSeamFactor, Is.GreaterThan(0).And.LessThanOrEqualTo(SeamFactorBound), blending.ToString());
        }
        var difference = Metrics.RelativeL2(latents[1], latents[0]);
        TestContext.Out.WriteLine($"{set}: linear vs raised-cosine final latent, relative L2 {difference:E2}");
        Assert.That(difference, Is.GreaterThan(0), "the blendings give different latents");
    }

    private const double SeamFactorBound = 1.1;
}
