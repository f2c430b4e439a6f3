using Wan.Kernels.Device;
using Wan.Runtime.Engine;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;
using Wan.Runtime.Tests.Lora;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The LoRA goldens on the CUDA backend (emulated device), per storage dtype and application path:
/// every <c>lora_dit</c> case (fp32 storage within the fp32 tolerance, bf16/fp16 within the half one),
/// with a counting device proving the unmerged path runs 2 extra GEMMs per adapted linear and the merged
/// path none; strength 0 gives the base forward exactly; every <c>lora_pipeline</c> case in bf16 with
/// each expert's step captured as a device graph.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
[TestFixtureSource(nameof(Variants))]
public sealed class CudaLoraGoldenTests(DType storage, LoraMode mode)
{
    public static readonly object[] Variants =
    [
        new object[] { DType.F32, LoraMode.Unmerged }, new object[] { DType.F32, LoraMode.Merged },
        new object[] { DType.BF16, LoraMode.Unmerged }, new object[] { DType.BF16, LoraMode.Merged },
        new object[] { DType.F16, LoraMode.Unmerged }, new object[] { DType.F16, LoraMode.Merged },
    ];

    private double Tolerance(FixtureCase c) => c.Tolerance(storage == DType.F32 ? "fp32" : storage == DType.F16 ? "fp16" : "bf16");

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_dit" } })]
    public void ForwardMatchesReference(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(Emulator);
        using var backend = new CudaBackend(device, storage);
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, LoraFixtures.Subfolder(c)));
        var set = LoraFixtures.Set(c);
        using var binding = LoraBinding.Create(dit, set.Specs, set.Semantics, mode);

        device.Reset();
        var baseOut = Forward(backend, dit, golden, c, null);
        int baseGemms = device.Gemms;
        device.Reset();
        var output = Forward(backend, dit, golden, c, binding);
        int extra = mode == LoraMode.Unmerged ? 2 * binding.AdaptedLinears : 0;
        Assert.That(device.Gemms, Is.EqualTo(baseGemms + extra), $"{mode}: 2 skinny GEMMs per adapted linear when unmerged, none when merged");
        var expected = golden.Get("out").ToFloatArray();
        Metrics.AssertClose(output, expected, Tolerance(c), $"{c} {storage} {mode} out");
        Assert.That(Metrics.RelativeL2(baseOut, expected), Is.GreaterThan(5 * Tolerance(c)), "the LoRA moves the output well beyond the tolerance");
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_dit" } })]
    public void StrengthZeroReproducesTheBaseExactly(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CudaBackend(Emulator, storage);
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, LoraFixtures.Subfolder(c)));
        var set = LoraFixtures.Set(c);
        using var zero = LoraBinding.Create(dit, [.. set.Specs.Select(s => s with { Strength = 0f })], set.Semantics, mode);
        Assert.That(Forward(backend, dit, golden, c, zero), Is.EqualTo(Forward(backend, dit, golden, c, null)),
            $"{c} {storage} {mode}: strength 0 must give the base output exactly");
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_pipeline" } })]
    public void PipelineWithStepGraphsMatchesReference(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        if (storage == DType.F32)
        {
            Assert.Ignore("the pipeline runs in the half storages here; fp32 is covered by the CPU pipeline golden");
        }
        using var golden = c.OpenGolden();
        using var engine = WanEngine.Open(c.Set.Diffusers, EmulatedEngineOptions.For(storage));
        var pipeline = engine.Pipeline;
        var p = c.Params;
        double tol = c.Tolerance("bf16");
        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        var solver = FlowSolvers.Create(p.GetProperty("solver").GetString()!, p.GetProperty("steps").GetInt32(), p.GetProperty("shift").GetDouble());
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());
        var noise = golden.Get("noise");
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;
        var adapters = pipeline.Loras.Resolve(LoraFixtures.PipelineStack(c), mode);
        pipeline.CaptureStepGraphs = true;
        var x0 = pipeline.Denoise(context, negative, noise.ToFloatArray(), noise.Shape.ToArray(), solver, experts, step =>
            Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tol, $"{c} {storage} {mode} latent after step {step.Step}"),
            adapters: adapters);
        Metrics.AssertClose(x0, golden.Get("x0").ToFloatArray(), tol, $"{c} {storage} {mode} x0");
        Metrics.AssertClose(pipeline.DecodeRaw(x0, noise.Shape.ToArray()), golden.Get("video_raw").ToFloatArray(), tol, $"{c} {storage} {mode} video_raw");
    }

    private static float[] Forward(CudaBackend backend, WanTransformer dit, Wan.Runtime.Weights.SafetensorsFile golden, FixtureCase c, LoraBinding? binding)
    {
        var x = golden.Get("x");
        var ctx = golden.Get("context");
        using var latent = backend.FromHost(x.ToFloatArray(), x.Shape);
        using var context = backend.FromHost(ctx.ToFloatArray(), ctx.Shape);
        using var text = dit.PrepareText(context, binding);
        using var output = dit.Forward(latent, c.Params.GetProperty("t").GetDouble(), text, c.Params.GetProperty("seq_len").GetInt32());
        return backend.ToHost(output);
    }
}
