using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Umt5;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Golden;

/// <summary>The umT5 encoder on the CPU backend against the reference implementation's goldens.</summary>
public class T5GoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5_buckets" } })]
    [Category("Golden")]
    public void RelativePositionBucketsMatchExactly(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        int numBuckets = c.Params.GetProperty("num_buckets").GetInt32();
        int maxDistance = c.Params.GetProperty("max_distance").GetInt32();
        Assert.That(c.Params.GetProperty("bidirectional").GetBoolean(), Is.True, "only bidirectional buckets exist in the encoder");
        using var golden = c.OpenGolden();
        var relative = golden.Get("relative_position").ToInt64Array();
        var expected = golden.Get("bucket").ToInt64Array();
        Assert.That(relative, Has.Length.EqualTo(expected.Length));
        var actual = relative.Select(r => (long)RelativePositionBuckets.Bucket(checked((int)r), numBuckets, maxDistance)).ToArray();
        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    [Category("Golden")]
    public void EncoderOutputMatches(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var tol = c.Tolerance("fp32");
        using var golden = c.OpenGolden();
        var ids = Ids(golden, "ids");
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, TextEncoderDirectory(c));

        using var output = encoder.Encode(ids);
        Assert.That(output.Shape, Is.EqualTo(golden.Get("out").Shape));
        Metrics.AssertClose(backend.ToHost(output), golden.Get("out").ToFloatArray(), tol, $"{c.Name} out");
    }

    /// <summary>Embedding, layer-0 position bias and every layer's residual, where the case stores them.</summary>
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    [Category("Golden")]
    public void IntermediatesMatch(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var tol = c.Tolerance("fp32");
        using var golden = c.OpenGolden();
        if (!golden.Contains("embed"))
        {
            Assert.Ignore($"{c.Name} stores no intermediates");
        }
        var ids = Ids(golden, "ids");
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, TextEncoderDirectory(c));

        using var x = encoder.Embed(ids);
        Metrics.AssertClose(backend.ToHost(x), golden.Get("embed").ToFloatArray(), tol, $"{c.Name} embed");
        if (golden.Contains("block0_pos_bias"))
        {
            using var bias0 = encoder.Blocks[0].PositionBias(ids.Length, ids.Length);
            Assert.That(bias0.Shape, Is.EqualTo(golden.Get("block0_pos_bias").Shape));
            Metrics.AssertClose(backend.ToHost(bias0), golden.Get("block0_pos_bias").ToFloatArray(), tol, $"{c.Name} block0_pos_bias");
        }
        for (int i = 0; i < encoder.Blocks.Count; i++)
        {
            using var bias = encoder.Blocks[i].PositionBias(ids.Length, ids.Length);
            encoder.Blocks[i].ForwardInPlace(x, bias, ids.Length);
            var name = $"block{i}_out";
            if (golden.Contains(name))
            {
                Metrics.AssertClose(backend.ToHost(x), golden.Get(name).ToFloatArray(), tol, $"{c.Name} {name}");
            }
        }
    }

    /// <summary>
    /// What the official pipeline runs: all padded ids with the padded keys masked. Its valid rows must
    /// equal the golden <c>out</c>, and where the case stores it, every row equals <c>out_padded_full</c>.
    /// </summary>
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    [Category("Golden")]
    public void PaddedMaskedRunMatches(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var tol = c.Tolerance("fp32");
        using var golden = c.OpenGolden();
        if (!golden.Contains("out_padded_full"))
        {
            Assert.Ignore($"{c.Name} stores no out_padded_full");
        }
        var padded = Ids(golden, "ids_padded");
        var mask = golden.Get("mask").ToInt64Array();
        int valid = (int)mask.Sum();
        Assert.That(mask.Take(valid).All(m => m == 1) && mask.Skip(valid).All(m => m == 0), "mask is a prefix of ones");
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, TextEncoderDirectory(c));

        using var full = encoder.Encode(padded, valid);
        Metrics.AssertClose(backend.ToHost(full), golden.Get("out_padded_full").ToFloatArray(), tol, $"{c.Name} out_padded_full");
        using var sliced = backend.SliceRows(full, 0, valid);
        Metrics.AssertClose(backend.ToHost(sliced), golden.Get("out").ToFloatArray(), tol, $"{c.Name} padded run, valid rows");
    }

    private static string TextEncoderDirectory(FixtureCase c) => Path.Combine(c.Set.Diffusers, "text_encoder");

    private static int[] Ids(SafetensorsFile golden, string name) =>
        [.. golden.Get(name).ToInt64Array().Select(v => checked((int)v))];
}
