using System.Runtime.InteropServices;
using System.Text;
using Wan.Convert.Pth;
using Wan.Testing;
using Wan.Convert.Weights;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Tests;

/// <summary>Crafted .pth files: a valid one with views and odd shapes reads back; hostile or broken ones fail with a clear error.</summary>
public sealed class PthHostileTests
{
    private static void WritePth(string path, byte[] pickle, params (string Key, byte[] Bytes)[] storages) =>
        PthWriter.Write(path, "archive", pickle, storages.Select(s => (s.Key, (Action<Stream>)(st => st.Write(s.Bytes)))));

    private static byte[] Floats(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static PthFormatException Fails(byte[] pickle, params (string Key, byte[] Bytes)[] storages)
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("hostile.pth");
        WritePth(path, pickle, storages);
        return Assert.Throws<PthFormatException>(() => PthCheckpoint.Open(path).Dispose())!;
    }

    [Test]
    public void ReadsViewsWithOffsetsAndManyDTypes()
    {
        using var dir = new TempDirectory();
        var rng = new Random(7);
        var storage = Enumerable.Range(0, 3 * 7 * 5 + 11).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var half = Enumerable.Range(0, 13).Select(i => (Half)(i * 0.25f - 1)).ToArray();
        var entries = new[]
        {
            new PthTensorEntry("a.weight", DType.F32, new Shape(3, 7, 5), "0", storage.Length, 11, [35, 5, 1]),
            new PthTensorEntry("a.bias", DType.F32, new Shape(4), "0", storage.Length, 2, [1]),
            PthTensorEntry.Contiguous("h", DType.F16, new Shape(13), "1"),
        };
        var path = dir.Combine("ok.pth");
        WritePth(path, StateDictPickler.Pickle(entries), ("0", Floats(storage)), ("1", MemoryMarshal.AsBytes(half.AsSpan()).ToArray()));

        using var pth = PthCheckpoint.Open(path);
        Assert.That(pth.Names, Is.EqualTo(new[] { "a.weight", "a.bias", "h" }));
        Assert.That(pth.Get("a.weight").Shape, Is.EqualTo(new Shape(3, 7, 5)));
        Assert.That(pth.Get("a.weight").ToFloatArray(), Is.EqualTo(storage[11..]).AsCollection);
        Assert.That(pth.Get("a.bias").ToFloatArray(), Is.EqualTo(storage[2..6]).AsCollection);
        Assert.That(pth.Get("h").ToFloatArray(), Is.EqualTo(half.Select(h => (float)h).ToArray()).AsCollection);
    }

    [Test]
    public void RefusesOsSystemReduce()
    {
        var pickle = Encoding.Latin1.GetBytes("\u0080\u0002cos\nsystem\nq\u0000X\u0002\u0000\u0000\u0000ls\u0085R.");
        var e = Fails(pickle);
        Assert.That(e.Message, Does.Contain("os.system").And.Contain("refusing global"));
    }

    [Test]
    public void RefusesUnknownGlobal()
    {
        var pickle = Encoding.Latin1.GetBytes("\u0080\u0002ctorch._utils\n_rebuild_parameter\n)R.");
        Assert.That(Fails(pickle).Message, Does.Contain("torch._utils._rebuild_parameter"));
    }

    [Test]
    public void RefusesReduceOnAnAllowedStorageType()
    {
        var pickle = Encoding.Latin1.GetBytes("\u0080\u0002ctorch\nFloatStorage\n)R.");
        Assert.That(Fails(pickle).Message, Does.Contain("REDUCE on 'torch.FloatStorage'"));
    }

    [Test]
    public void RefusesUnsupportedOpcode()
    {
        // INST (the protocol-0 way of calling a class) is never produced by torch.save.
        var pickle = Encoding.Latin1.GetBytes("\u0080\u0002(ios\nsystem\n.");
        Assert.That(Fails(pickle).Message, Does.Contain("opcode 0x69"));
    }

    [Test]
    public void RefusesStorageOffsetPastTheEnd()
    {
        var entries = new[] { new PthTensorEntry("w", DType.F32, new Shape(2, 3), "0", 8, 3, [3, 1]) };
        var e = Fails(StateDictPickler.Pickle(entries), ("0", new byte[32]));
        Assert.That(e.Message, Does.Contain("'w'").And.Contain("storage offset 3"));
    }

    [Test]
    public void RefusesNonContiguousStrides()
    {
        var entries = new[] { new PthTensorEntry("w", DType.F32, new Shape(2, 3), "0", 6, 0, [1, 2]) };
        Assert.That(Fails(StateDictPickler.Pickle(entries), ("0", new byte[24])).Message, Does.Contain("only contiguous"));
    }

    [Test]
    public void RefusesStorageRecordOfTheWrongSize()
    {
        var entries = new[] { PthTensorEntry.Contiguous("w", DType.F32, new Shape(5), "0") };
        Assert.That(Fails(StateDictPickler.Pickle(entries), ("0", new byte[12])).Message, Does.Contain("should hold 5 x 4 bytes"));
    }

    [Test]
    public void RefusesMissingStorageRecord()
    {
        var entries = new[] { PthTensorEntry.Contiguous("w", DType.F32, new Shape(5), "7") };
        Assert.That(Fails(StateDictPickler.Pickle(entries)).Message, Does.Contain("'archive/data/7' is missing"));
    }

    [Test]
    public void RefusesTruncatedPickle()
    {
        var full = StateDictPickler.Pickle([PthTensorEntry.Contiguous("w", DType.F32, new Shape(5), "0")]);
        foreach (var cut in new[] { 1, full.Length / 3, full.Length - 1 })
        {
            Assert.That(Fails(full[..cut], ("0", new byte[20])).Message, Does.Contain("truncated").Or.Contain("underflow").Or.Contain("STOP"), $"cut at {cut}");
        }
    }

    [Test]
    public void RefusesTruncatedZip()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("t.pth");
        WritePth(path, StateDictPickler.Pickle([PthTensorEntry.Contiguous("w", DType.F32, new Shape(64), "0")]), ("0", new byte[256]));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<PthFormatException>(() => PthCheckpoint.Open(path).Dispose());
    }

    [Test]
    public void RefusesAPickleThatIsNotAStateDict()
    {
        var pickle = Encoding.Latin1.GetBytes("\u0080\u0002]q\u0000.");
        Assert.That(Fails(pickle).Message, Does.Contain("not a state dict"));
    }
}
