using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Models;

/// <summary>The encoder on a random odd-sized model against float64 reference loops.</summary>
public class Umt5EncoderTests
{
    private string _root = "";

    [SetUp]
    public void CreateDirectory()
    {
        _root = Path.Combine(Path.GetTempPath(), "umt5-encoder-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_root, true);

    [Test]
    public void EncodeMatchesFloat64ReferenceLoops()
    {
        var model = new Umt5TestModel(seed: 11);
        var ids = RandomIds(new Random(5), 29);
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, model.WriteTo(_root));

        using var output = encoder.Encode(ids);

        Assert.That(output.Shape, Is.EqualTo(new Shape(ids.Length, Umt5TestModel.DModel)));
        var expected = Flatten(Umt5ReferenceEncoder.Encode(model, ids, ids.Length));
        Metrics.AssertClose(backend.ToHost(output), expected, 1e-5, "encode vs float64 loops");
    }

    [Test]
    public void PaddedMaskedRunEqualsUnpaddedRunOnValidRows()
    {
        var model = new Umt5TestModel(seed: 12);
        const int valid = 17, padded = 41;
        var ids = RandomIds(new Random(6), valid);
        var paddedIds = new int[padded];
        ids.CopyTo(paddedIds, 0);
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, model.WriteTo(_root));

        using var full = encoder.Encode(paddedIds, valid);
        using var alone = encoder.Encode(ids);
        using var validRows = backend.SliceRows(full, 0, valid);

        Metrics.AssertClose(backend.ToHost(full), Flatten(Umt5ReferenceEncoder.Encode(model, paddedIds, valid)), 1e-5, "padded run vs float64 loops");
        Metrics.AssertClose(backend.ToHost(validRows), backend.ToHost(alone), 1e-6, "padded run's valid rows vs unpadded run");
    }

    [Test]
    public void PositionBiasIsTheLayerTableGatheredByBucket()
    {
        var model = new Umt5TestModel(seed: 13);
        const int queries = 7, keys = 31;
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, model.WriteTo(_root));

        using var bias = encoder.Blocks[1].PositionBias(queries, keys);

        Assert.That(bias.Shape, Is.EqualTo(new Shape(Umt5TestModel.Heads, queries, keys)));
        var table = model["encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"];
        var actual = backend.ToHost(bias);
        for (int h = 0; h < Umt5TestModel.Heads; h++)
        {
            for (int i = 0; i < queries; i++)
            {
                for (int j = 0; j < keys; j++)
                {
                    var bucket = Umt5ReferenceEncoder.Bucket(j - i, Umt5TestModel.Buckets, Umt5TestModel.MaxDistance);
                    Assert.That(actual[(h * queries + i) * keys + j], Is.EqualTo(table[bucket * Umt5TestModel.Heads + h]), $"h {h}, query {i}, key {j}");
                }
            }
        }
    }

    [Test]
    public void BadIdsAndValidCountsAreRejectedWithTheirValue()
    {
        var model = new Umt5TestModel(seed: 14);
        using var backend = new CpuBackend();
        using var encoder = Umt5Encoder.Load(backend, model.WriteTo(_root));

        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode([3, Umt5TestModel.Vocab, 1]));
        Assert.That(outside!.Message, Does.Contain($"token id {Umt5TestModel.Vocab} at position 1"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode([-1]))!.Message, Does.Contain("token id -1"));
        Assert.That(Assert.Throws<ArgumentException>(() => encoder.Embed([]))!.Message, Does.Contain("no token ids"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode([3, 1], 0))!.Message, Does.Contain("0 valid tokens of 2"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode([3, 1], 3))!.Message, Does.Contain("3 valid tokens of 2"));
    }

    private static int[] RandomIds(Random rng, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => rng.Next(Umt5TestModel.Vocab))];

    private static float[] Flatten(double[,] x) => [.. x.Cast<double>().Select(v => (float)v)];
}
