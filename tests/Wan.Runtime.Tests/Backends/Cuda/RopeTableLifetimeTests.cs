using Wan.Testing;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// A captured step keeps the RoPE table it recorded: a forward at a second resolution replaces the
/// DiT's cached table while a graph of the first is alive, fresh NaN-filled device memory of the old
/// table's size is then allocated (where a freed table's memory would be handed out again), and the
/// replay must still give the bits it gave before. The table is freed when the graph goes.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class RopeTableLifetimeTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void ASecondResolutionDoesNotFreeTheTableOfALiveGraph(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var device = new Wan.Kernels.Device.EmulatedDevice();
        using var backend = new CudaBackend(device, DType.F32);
        var subfolder = c.Params.GetProperty("diffusers_subfolder").GetString()!;
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, subfolder));
        var x = golden.Get("x");
        var ctx = golden.Get("context");
        using var context = backend.FromHost(ctx.ToFloatArray(), ctx.Shape);
        using var cond = dit.PrepareText(context);
        using var uncond = dit.PrepareText(context);
        var latent = x.ToFloatArray();
        double t = c.Params.GetProperty("t").GetDouble();

        var step = new DitStepGraph(backend, dit, cond, uncond, x.Shape);
        var table = step.Rope;
        var before = step.Run(latent, t).Cond;

        var other = new Shape(x.Shape[0], x.Shape[1], x.Shape[2] + 2 * dit.Config.Patch.H, x.Shape[3]);
        var random = EmulatedTesting.NewRandom();
        using (var input = backend.FromHost(EmulatedTesting.Uniform(random, (int)other.ElementCount), other))
        using (dit.Forward(input, t, cond))
        {
        }
        var tableBytes = table.Cos.ElementCount * table.Cos.DType.SizeOf();
        var fresh = Enumerable.Range(0, 8).Select(_ => device.Allocate(tableBytes)).ToList();
        try
        {
            Assert.That(table.IsReleased, Is.False, "the graph holds the table the cache let go");
            backend.Write(step.Outputs.Cond, Enumerable.Repeat(float.NaN, latent.Length).ToArray());
            Assert.That(step.Run(latent, t).Cond, Is.EqualTo(before), "the replay after another resolution reads its own table");
        }
        finally
        {
            fresh.ForEach(b => b.Dispose());
        }
        step.Dispose();
        Assert.That(table.IsReleased, Is.True, "the last holder (the graph) freed it");
    }
}
