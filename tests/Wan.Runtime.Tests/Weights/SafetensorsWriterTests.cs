using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Testing;

namespace Wan.Runtime.Tests.Weights;

public class SafetensorsWriterTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    [Test]
    public void EveryDTypeRoundTripsWithMetadata()
    {
        var rng = new Random(11);
        var entries = Enum.GetValues<DType>()
            .Select((d, i) => ($"t{i}.{d}", d, new Shape(3, i + 2)))
            .Append(("scalar", DType.F32, new Shape()))
            .Append(("empty", DType.BF16, new Shape(4, 0)))
            .ToList();
        var data = entries.ToDictionary(e => e.Item1, e => RandomBytes(rng, e.Item3.ElementCount * e.Item2.SizeOf()));
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" \\ / \n" };
        var path = _dir.Combine("all.safetensors");
        using (var w = new SafetensorsWriter(path, entries, metadata))
        {
            foreach (var (name, _, _) in entries)
            {
                w.WriteTensor(name, data[name]);
            }
            Assert.That(w.CurrentTensor, Is.Null);
            w.Commit();
        }

        using var f = SafetensorsFile.Open(path);
        Assert.That(f.Metadata, Is.EquivalentTo(metadata));
        Assert.That(f.Names, Is.EquivalentTo(entries.Select(e => e.Item1)));
        foreach (var (name, dtype, shape) in entries)
        {
            var t = f.Get(name);
            Assert.That(t.DType, Is.EqualTo(dtype), name);
            Assert.That(t.Shape, Is.EqualTo(shape), name);
            Assert.That(t.ToByteArray(), Is.EqualTo(data[name]), name);
        }
        Assert.That(Directory.GetFiles(_dir.Path), Is.EqualTo(new[] { path }), "no temporary file left behind");
    }

    [Test]
    public void FloatTensorsRoundTripThroughTheFloatOverload()
    {
        float[] values = [1.5f, -0f, float.Epsilon, 3.25e30f, -7f];
        var path = _dir.Combine("f.safetensors");
        using (var w = new SafetensorsWriter(path, [("v", DType.F32, new Shape(5))]))
        {
            w.WriteTensor("v", values);
            w.Commit();
        }
        using var f = SafetensorsFile.Open(path);
        Assert.That(f.Get("v").ToFloatArray(), Is.EqualTo(values));
        Assert.That(f.Metadata, Is.Empty);
    }

    [Test]
    public void ChunkedWritesAcrossTensorBoundaries()
    {
        var rng = new Random(5);
        (string, DType, Shape)[] entries =
        [
            ("a", DType.F32, new Shape(37)),
            ("zero", DType.F16, new Shape(0)),
            ("b", DType.BF16, new Shape(5, 13)),
            ("c", DType.I64, new Shape(3)),
            ("d", DType.U8, new Shape(1)),
        ];
        var total = entries.Sum(e => e.Item3.ElementCount * e.Item2.SizeOf());
        var stream = RandomBytes(rng, total);
        var path = _dir.Combine("chunked.safetensors");
        using (var w = new SafetensorsWriter(path, entries))
        {
            for (int at = 0; at < stream.Length;)
            {
                var n = Math.Min(rng.Next(1, 40), stream.Length - at);
                w.Write(stream.AsSpan(at, n));
                at += n;
            }
            w.Commit();
        }
        using var f = SafetensorsFile.Open(path);
        var offset = 0;
        foreach (var (name, dtype, shape) in entries)
        {
            var size = (int)(shape.ElementCount * dtype.SizeOf());
            Assert.That(f.Get(name).ToByteArray(), Is.EqualTo(stream.AsSpan(offset, size).ToArray()), name);
            offset += size;
        }
    }

    [Test]
    public void DisposedWithoutCommitLeavesNothing()
    {
        var path = _dir.Combine("aborted.safetensors");
        using (var w = new SafetensorsWriter(path, [("a", DType.F32, new Shape(4))]))
        {
            w.WriteTensor("a", new float[4]);
        }
        Assert.That(path, Does.Not.Exist);
        Assert.That(Directory.GetFileSystemEntries(_dir.Path), Is.Empty, "the temporary file is removed too");
    }

    [Test]
    public void CommitWithMissingDataFailsAndLeavesNothing()
    {
        var path = _dir.Combine("partial.safetensors");
        using (var w = new SafetensorsWriter(path, [("a", DType.F32, new Shape(4)), ("b", DType.F32, new Shape(2))]))
        {
            w.WriteTensor("a", new float[4]);
            w.Write(new byte[4]);
            var e = Assert.Throws<InvalidOperationException>(w.Commit);
            Assert.That(e!.Message, Does.Contain(path).And.Contain("'b'"));
        }
        Assert.That(Directory.GetFileSystemEntries(_dir.Path), Is.Empty);
    }

    [Test]
    public void CommitTwiceIsRejected()
    {
        var path = _dir.Combine("twice.safetensors");
        using var w = new SafetensorsWriter(path, [("a", DType.U8, new Shape(1))]);
        w.WriteTensor("a", [7]);
        w.Commit();
        Assert.Throws<InvalidOperationException>(w.Commit);
        using var f = SafetensorsFile.Open(path);
        Assert.That(f.Get("a").ToInt64Array(), Is.EqualTo(new long[] { 7 }));
    }

    [Test]
    public void WritesThatDoNotFitTheDeclarationAreRejected()
    {
        var path = _dir.Combine("wrong.safetensors");
        using var w = new SafetensorsWriter(path, [("a", DType.F32, new Shape(2)), ("b", DType.U8, new Shape(3))]);
        Assert.Throws<InvalidOperationException>(() => w.WriteTensor("b", new byte[3]), "out of order");
        Assert.Throws<ArgumentException>(() => w.WriteTensor("a", new byte[4]), "wrong size");
        w.WriteTensor("a", new float[2]);
        w.WriteTensor("b", new byte[3]);
        var e = Assert.Throws<InvalidOperationException>(() => w.Write(new byte[1]));
        Assert.That(e!.Message, Does.Contain("more data"));
    }

    [Test]
    public void EmptyTensorsMayBeWrittenOrSkipped()
    {
        var path = _dir.Combine("empty.safetensors");
        using (var w = new SafetensorsWriter(path, [("e0", DType.F32, new Shape(0)), ("a", DType.U8, new Shape(2)), ("e1", DType.I64, new Shape(2, 0))]))
        {
            w.WriteTensor("e0", ReadOnlySpan<byte>.Empty);
            w.WriteTensor("a", [1, 2]);
            w.WriteTensor("e1", ReadOnlySpan<byte>.Empty);
            w.Commit();
        }
        using var f = SafetensorsFile.Open(path);
        Assert.That(f.Get("e1").Shape, Is.EqualTo(new Shape(2, 0)));
        Assert.That(f.Get("a").ToInt64Array(), Is.EqualTo(new long[] { 1, 2 }));
    }

    [TestCase("a")]
    [TestCase("__metadata__")]
    public void DuplicateOrReservedNamesAreRejected(string second)
    {
        var path = _dir.Combine("dup.safetensors");
        var e = Assert.Throws<ArgumentException>(() => new SafetensorsWriter(path, [("a", DType.F32, new Shape(1)), (second, DType.F32, new Shape(1))]).Dispose());
        Assert.That(e!.Message, Does.Contain($"'{second}'"));
        Assert.That(Directory.GetFileSystemEntries(_dir.Path), Is.Empty);
    }

    private static byte[] RandomBytes(Random rng, long count)
    {
        var b = new byte[count];
        rng.NextBytes(b);
        return b;
    }
}
