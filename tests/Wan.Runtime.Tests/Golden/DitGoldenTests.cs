using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Golden;

[Category("Golden")]
public class DitGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void CpuForwardMatchesReference(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        var subfolder = c.Params.GetProperty("diffusers_subfolder").GetString()!;
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, subfolder));

        var t = c.Params.GetProperty("t").GetDouble();
        var x = golden.Get("x");
        var ctx = golden.Get("context");
        using var latent = backend.FromHost(x.ToFloatArray(), x.Shape);
        using var context = backend.FromHost(ctx.ToFloatArray(), ctx.Shape);
        using var text = dit.PrepareText(context);

        using (var e = dit.TimeEmbedding(t))
        {
            Metrics.AssertClose(backend.ToHost(e), golden.Get("time_emb").ToFloatArray(), c.Tolerance("fp32"), $"{c} time_emb");
        }

        using var output = dit.Forward(latent, t, text, c.Params.GetProperty("seq_len").GetInt32());
        Assert.That(output.Shape, Is.EqualTo(golden.Get("out").Shape));
        Metrics.AssertClose(backend.ToHost(output), golden.Get("out").ToFloatArray(), c.Tolerance("fp32"), $"{c} out");
    }
}
