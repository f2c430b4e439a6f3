using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Models.Vae;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

/// <summary>
/// The model goldens with every weight of rank ≥ 2 left mapped (eager limit 0), so each model op
/// reads its weights through the mapped path: Linear blocks, Embedding, convs and patchify.
/// </summary>
[Category("Golden")]
public class CpuMappedGoldenTests
{
    private static CpuBackend MappedBackend() => new(eagerWeightElements: 0, linearScratchFloats: 997);

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void DitForwardWithMappedWeights(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = MappedBackend();
        var subfolder = c.Params.GetProperty("diffusers_subfolder").GetString()!;
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, subfolder));
        var x = golden.Get("x");
        var ctx = golden.Get("context");
        using var latent = backend.FromHost(x.ToFloatArray(), x.Shape);
        using var context = backend.FromHost(ctx.ToFloatArray(), ctx.Shape);
        using var text = dit.PrepareText(context);

        using var output = dit.Forward(latent, c.Params.GetProperty("t").GetDouble(), text, c.Params.GetProperty("seq_len").GetInt32());
        Metrics.AssertClose(backend.ToHost(output), golden.Get("out").ToFloatArray(), c.Tolerance("fp32"), $"{c} out (mapped)");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    public void Umt5EncoderWithMappedWeights(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        int[] ids = [.. golden.Get("ids").ToInt64Array().Select(v => checked((int)v))];
        using var backend = MappedBackend();
        using var encoder = Umt5Encoder.Load(backend, Path.Combine(c.Set.Diffusers, "text_encoder"));
        using var output = encoder.Encode(ids);
        Metrics.AssertClose(backend.ToHost(output), golden.Get("out").ToFloatArray(), c.Tolerance("fp32"), $"{c} out (mapped)");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    public void VaeDecodeWithMappedWeights(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = MappedBackend();
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var z = golden.Get("z");
        using var latent = backend.FromHost(z.ToFloatArray(), z.Shape);
        using var video = vae.Decode(latent);
        Metrics.AssertClose(backend.ToHost(video), golden.Get("video_raw").ToFloatArray(), c.Tolerance("fp32"), $"{c} video_raw (mapped)");
    }
}
