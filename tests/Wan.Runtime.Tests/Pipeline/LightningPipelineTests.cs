using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline;

/// <summary>
/// The lightning preset through <see cref="WanPipeline.Generate"/> on every fixture model: one conditional forward per
/// step at the fractional timestep, the expert switched by step index, no unconditional branch — checked bit for
/// bit against a loop written here from the DiT's own forward.
/// </summary>
[Category("Golden")]
public class LightningPipelineTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void LightningRunsOneConditionalForwardPerStepAtFractionalTimesteps(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        var backend = pipeline.Backends.Dit;
        var preset = SamplingPreset.Lightning;
        var request = new GenerationRequest
        {
            Prompt = "a paper boat on a rainy street",
            Frames = 5,
            Height = 32,
            Width = 48,
            Seed = 11,
            Solver = preset.Solver,
            Steps = preset.Steps,
            Shift = preset.Shift,
            GuidanceLow = preset.GuidanceLow,
            GuidanceHigh = preset.GuidanceHigh,
        };
        var experts = new List<string?>();
        var result = pipeline.Generate(request, p =>
        {
            if (p.Stage == GenerationStage.Denoising)
            {
                experts.Add(p.Expert);
            }
        });

        var shape = request.LatentShape(pipeline.Geometry);
        var latent = NoiseGenerator.StandardNormal(request.Seed, shape.Aggregate(1, (a, b) => a * b));
        using var context = pipeline.EncodeText(pipeline.Tokenize(request.Prompt));
        var solver = FlowSolvers.Create(preset.Solver, preset.Steps, preset.Shift);
        for (int i = 0; i < solver.StepCount; i++)
        {
            var dit = i < FlowStepDistillSolver.Wan22BoundaryStep ? pipeline.HighNoise : pipeline.LowNoise!;
            using var text = dit.PrepareText(context);
            using var x = backend.FromHost(latent, new Wan.Runtime.Tensors.Shape(shape));
            using var v = dit.Forward(x, solver.ModelTimesteps[i], text);
            solver.Step(backend.ToHost(v), i, latent);
        }

        Assert.That(experts, Is.EqualTo(new[] { "transformer (high noise)", "transformer (high noise)", "transformer_2 (low noise)", "transformer_2 (low noise)" }));
        Assert.That(result.Latent, Is.EqualTo(latent), "v = the conditional forward at t = 1000, 937.5, 833.33, 625 (bit for bit)");
        Assert.That(result.StepCache, Is.Null, "no caching was asked for");

        var guided = pipeline.Generate(request with { GuidanceLow = 3.0, GuidanceHigh = 3.0 });
        Assert.That(guided.Latent, Is.Not.EqualTo(result.Latent), "with guidance the unconditional branch runs and changes the result");
    }
}
