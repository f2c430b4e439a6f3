using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The umT5 encoder on the CUDA backend (emulated device) against every `t5` golden of every fixture set, per
/// storage dtype: fp32 storage within the fixture's fp32 tolerance, bf16/fp16 within its bf16 (half-precision)
/// tolerance; the stored intermediates (embedding, layer-0 bias, each layer's output) too. And the fp16
/// overflow rule: an encoder whose FFN output passes fp16's range stays finite with the reference clamp and is
/// not finite without it.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaT5GoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    public void EncoderOutputMatches(FixtureCase? fixtureCase) => Check(Emulator, storage, Fixtures.Require(fixtureCase));

    /// <summary>The golden check on any device (the emulated one here, a GPU in <see cref="GpuT5GoldenTests"/>).</summary>
    internal static void Check(IDevice target, DType storage, FixtureCase c)
    {
        double tol = c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");
        using var golden = c.OpenGolden();
        var ids = Ids(golden, "ids");
        using var backend = new CudaBackend(target, storage);
        using var encoder = Umt5Encoder.Load(backend, TextEncoderDirectory(c));

        if (golden.Contains("embed"))
        {
            using var x = encoder.Embed(ids);
            Metrics.AssertClose(backend.ToHost(x), golden.Get("embed").ToFloatArray(), tol, $"{c} {storage} embed");
            if (golden.Contains("block0_pos_bias"))
            {
                using var bias0 = encoder.Blocks[0].PositionBias(ids.Length, ids.Length);
                Metrics.AssertClose(backend.ToHost(bias0), golden.Get("block0_pos_bias").ToFloatArray(), tol, $"{c} {storage} block0_pos_bias");
            }
            for (int i = 0; i < encoder.Blocks.Count; i++)
            {
                using var bias = encoder.Blocks[i].PositionBias(ids.Length, ids.Length);
                encoder.Blocks[i].ForwardInPlace(x, bias, ids.Length);
                if (golden.Contains($"block{i}_out"))
                {
                    Metrics.AssertClose(backend.ToHost(x), golden.Get($"block{i}_out").ToFloatArray(), tol, $"{c} {storage} block{i}_out");
                }
            }
        }
        using var output = encoder.Encode(ids);
        Assert.That(output.Shape, Is.EqualTo(golden.Get("out").Shape));
        Metrics.AssertClose(backend.ToHost(output), golden.Get("out").ToFloatArray(), tol, $"{c} {storage} out");
    }

    /// <summary>
    /// Layer 0's FFN output projection scaled so its outputs pass 65504 (every weight stays representable in
    /// fp16): the fp32 CPU run shows the overflow is real; fp16 storage without the clamp ends non-finite, with it
    /// finite, and the clamped value is the limit. bf16 and fp32 storage hold the values and never clamp.
    /// </summary>
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheFp16ClampKeepsAnOverflowingEncoderFinite(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        const string wo = "encoder.block.0.layer.1.DenseReluDense.wo.weight";
        model.Alter("text_encoder", wo, w =>
        {
            float scale = 30000f / w.Max(Math.Abs);
            for (int i = 0; i < w.Length; i++)
            {
                w[i] *= scale;
            }
        });
        var directory = Path.Combine(model.Path, "text_encoder");
        int[] ids = [.. Enumerable.Range(3, 17)];

        using (var cpu = new CpuBackend())
        using (var reference = Umt5Encoder.Load(cpu, directory))
        using (var x = reference.Embed(ids))
        {
            using var bias = reference.Blocks[0].PositionBias(ids.Length, ids.Length);
            reference.Blocks[0].ForwardInPlace(x, bias, ids.Length);
            var largest = cpu.ToHost(x).Max(Math.Abs);
            TestContext.Out.WriteLine($"{set.Name}: largest |hidden state| after layer 0 in fp32: {largest:E3}");
            Assert.That(largest, Is.GreaterThan(65504f), "the altered layer's hidden states pass fp16's range");
        }

        using var backend = new CudaBackend(Emulator, storage);
        using var encoder = Umt5Encoder.Load(backend, directory);
        using (var clamped = encoder.Encode(ids))
        {
            Assert.That(backend.ToHost(clamped).All(float.IsFinite), $"{storage}: finite with the clamp");
        }
        using (var x = encoder.Embed(ids))
        using (var bias = encoder.Blocks[0].PositionBias(ids.Length, ids.Length))
        {
            encoder.Blocks[0].ForwardInPlace(x, bias, ids.Length);
            var hidden = backend.ToHost(x);
            if (storage == DType.F16)
            {
                Assert.That(hidden.Max(Math.Abs), Is.EqualTo(64512f), "clamped to 65504 − 1000, stored in fp16");
            }
            else
            {
                Assert.That(hidden.Max(Math.Abs), Is.GreaterThan(65504f), $"{storage} holds the value: no clamp");
            }
        }
        encoder.ClampFp16 = false;
        using var plain = encoder.Encode(ids);
        long nonFinite = backend.ToHost(plain).Count(v => !float.IsFinite(v));
        TestContext.Out.WriteLine($"{set.Name} {storage}: {nonFinite} non-finite outputs without the clamp");
        if (storage == DType.F16)
        {
            Assert.That(nonFinite, Is.GreaterThan(0), "fp16 without the clamp overflows");
        }
        else
        {
            Assert.That(nonFinite, Is.Zero, $"{storage} has fp32's range");
        }
    }

    private static string TextEncoderDirectory(FixtureCase c) => Path.Combine(c.Set.Diffusers, "text_encoder");

    private static int[] Ids(SafetensorsFile golden, string name) =>
        [.. golden.Get(name).ToInt64Array().Select(v => checked((int)v))];
}
