using System.Diagnostics;
using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Infrastructure;

namespace Wan.Kernels.Tests.Golden;

/// <summary>
/// The `pipeline` golden's denoising loop with every step run through a <see cref="DitStepGraph"/>
/// (one per expert, captured at its first step; emulated device, bf16 storage): the loop of
/// WanPipeline.Denoise with the two forwards and the guidance combine replaced by a replay. Every
/// step's latent must equal the direct Denoise bit for bit and the golden within its bf16 tolerance.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class DitStepGraphPipelineGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void ReplayedStepsGiveTheDirectDenoise(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var device = new EmulatedDevice();
        using var cpu = new CpuBackend();
        using var cuda = new CudaBackend(device, DType.BF16);
        using var pipeline = WanPipeline.Load(new PipelineBackends(cpu, cuda, cpu), c.Set.Diffusers);
        double tol = c.Tolerance("bf16");
        var p = c.Params;

        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        IFlowSolver Solver() => FlowSolvers.Create(p.GetProperty("solver").GetString()!, p.GetProperty("steps").GetInt32(), p.GetProperty("shift").GetDouble());
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());
        var noise = golden.Get("noise");
        var shape = noise.Shape;
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;

        var directSteps = new List<float[]>();
        var clock = Stopwatch.StartNew();
        pipeline.Denoise(context, negative, noise.ToFloatArray(), shape.ToArray(), Solver(), experts, step => directSteps.Add(step.Latent.ToArray()));
        var directTime = clock.Elapsed;

        var solver = Solver();
        var latent = noise.ToFloatArray();
        var texts = new List<DitTextContext>();
        var graphs = new Dictionary<WanTransformer, DitStepGraph>();
        clock.Restart();
        try
        {
            for (int i = 0; i < solver.StepCount; i++)
            {
                long t = solver.Timesteps[i];
                var dit = experts.IsHighNoise(t) || pipeline.LowNoise is null ? pipeline.HighNoise : pipeline.LowNoise;
                if (!graphs.TryGetValue(dit, out var graph))
                {
                    var cond = dit.PrepareText(context);
                    texts.Add(cond);
                    var uncond = dit.PrepareText(negative);
                    texts.Add(uncond);
                    graph = new DitStepGraph(cuda, dit, cond, uncond, shape);
                    graphs.Add(dit, graph);
                }
                var v = graph.Velocity(latent, t, (float)experts.Guidance(t));
                solver.Step(v, i, latent);
                Assert.That(latent, Is.EqualTo(directSteps[i]), $"{c}: latent after step {i + 1}, replayed vs direct");
                Metrics.AssertClose(latent, latents.AsSpan(i * per, per), tol, $"{c} bf16 DiT graph: latent after step {i + 1}");
            }
        }
        finally
        {
            foreach (var graph in graphs.Values)
            {
                graph.Dispose();
            }
            texts.ForEach(t => t.Dispose());
        }
        TestContext.Out.WriteLine($"{c}: {solver.StepCount} steps on {device.Name}: direct Denoise {directTime.TotalMilliseconds:F0} ms, " +
            $"graph loop {clock.Elapsed.TotalMilliseconds:F0} ms ({graphs.Count} captures included; the emulator runs every kernel on the CPU, so these are not GPU times)");
    }
}
