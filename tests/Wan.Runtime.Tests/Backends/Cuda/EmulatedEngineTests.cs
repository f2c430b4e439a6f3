using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The engine with the CUDA backend on the emulated device (routing: StrictRoutingTests): a head width
/// without a kernel refused when the engine is built, and activations that overflow fp16 stopped after the first step with the advice to use bf16,
/// while the same model runs in bf16.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
public sealed class EmulatedEngineTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AHeadWidthWithoutAKernelIsRefusedWhenTheEngineIsBuilt(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        int dim = 0;
        model.AlterJson("transformer", "config.json", config =>
        {
            dim = config["num_attention_heads"]!.GetValue<int>() * config["attention_head_dim"]!.GetValue<int>();
            config["attention_head_dim"] = 8; // the same width in heads of 8: fp32 has a kernel, the tensor-core kernels need multiples of 16
            config["num_attention_heads"] = dim / 8;
        });
        Assume.That(dim % 8, Is.Zero);
        var error = Assert.Throws<Wan.Errors.ConfigException>(() =>
            WanEngine.Open(model.Path, EmulatedEngineOptions.For(DType.BF16)))!;
        Assert.That(error.Message, Does.EndWith("config.json: 'attention_head_dim' 8 has no attention kernel on cuda BF16 on emulated (g++ fibers)"));
        using var fp32 = WanEngine.Open(model.Path, EmulatedEngineOptions.For(DType.F32));
        Assert.That(fp32.Pipeline.HighNoise.Config.HeadDim, Is.EqualTo(8), "the scalar fp32 kernel takes it");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void Fp16OverflowStopsTheFirstStepAndBf16RunsTheSameModel(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        // Every weight stays representable in fp16 (|w| <= 30000) but the head's outputs (sums of 96
        // such products) pass 65504: an activation overflow, not a weight that cannot be stored.
        foreach (var expert in new[] { "transformer", "transformer_2" })
        {
            model.Alter(expert, "proj_out.weight", w =>
            {
                float scale = 30000f / w.Max(Math.Abs);
                for (int i = 0; i < w.Length; i++)
                {
                    w[i] *= scale;
                }
            });
        }
        var request = new GenerationRequest { Prompt = "a red fox in the snow", Frames = 5, Height = 32, Width = 32, Steps = 2, Seed = 9 };

        using (var fp16 = WanEngine.Open(model.Path, EmulatedEngineOptions.For(DType.F16)))
        {
            var error = Assert.Throws<NonFiniteLatentException>(() => fp16.Generate(request))!;
            TestContext.Out.WriteLine(error.Message);
            Assert.That((error.Step, error.Expert, error.Precision), Is.EqualTo((1, "transformer (high noise)", DType.F16)));
            Assert.That(error.Message, Does.Contain("fp16 precision").And.Contain("fp16 overflowed").And.Contain("use bf16"));
        }
        using var bf16 = WanEngine.Open(model.Path, EmulatedEngineOptions.For(DType.BF16));
        var result = bf16.Generate(request);
        Assert.That(result.Latent.All(float.IsFinite), "bf16 has fp32's range: the same model runs");
        TestContext.Out.WriteLine($"bf16: largest |latent| {result.Latent.Max(Math.Abs):E2}");
    }
}
