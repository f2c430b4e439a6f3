using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Testing;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// Every <c>lora_dit</c> case of every fixture set on the CPU backend, in both application paths:
/// the DiT forward with the case's LoRA stack against the float64 golden (fp32 tolerance), checked to
/// differ from the base output (so an ignored LoRA cannot pass), and strength 0 reproducing the base
/// forward exactly.
/// </summary>
[Category("Golden")]
[TestFixtureSource(nameof(Modes))]
public sealed class LoraDitGoldenTests(LoraMode mode)
{
    public static readonly LoraMode[] Modes = [LoraMode.Unmerged, LoraMode.Merged];

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_dit" } })]
    public void CpuForwardMatchesReference(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, LoraFixtures.Subfolder(c)));
        var set = LoraFixtures.Set(c);
        using var binding = LoraBinding.Create(dit, set.Specs, set.Semantics, mode);
        Assert.That(binding.AdaptedLinears, Is.GreaterThan(0), "the LoRA adapts linears");

        var output = Forward(backend, dit, golden, c, binding);
        var expected = golden.Get("out").ToFloatArray();
        double tolerance = c.Tolerance("fp32");
        Metrics.AssertClose(output, expected, tolerance, $"{c} {mode} out");
        Assert.That(Metrics.RelativeL2(golden.Get("base_out").ToFloatArray(), expected), Is.GreaterThan(100 * tolerance),
            "the golden differs from the base output: the check above cannot pass with the LoRA ignored");
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_dit" } })]
    public void StrengthZeroReproducesTheBaseExactly(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, LoraFixtures.Subfolder(c)));
        var set = LoraFixtures.Set(c);
        using var zero = LoraBinding.Create(dit, [.. set.Specs.Select(s => s with { Strength = 0f })], set.Semantics, mode);
        var baseOutput = Forward(backend, dit, golden, c, null);
        var zeroOutput = Forward(backend, dit, golden, c, zero);
        Assert.That(zeroOutput, Is.EqualTo(baseOutput), $"{c} {mode}: strength 0 must give the base output exactly");
        Metrics.AssertClose(baseOutput, golden.Get("base_out").ToFloatArray(), c.Tolerance("fp32"), $"{c} base");
    }

    internal static float[] Forward(CpuBackend backend, WanTransformer dit, Wan.Runtime.Weights.SafetensorsFile golden, FixtureCase c, LoraBinding? binding)
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
