using System.Runtime.InteropServices;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Backends;
using Wan.Testing;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Storage;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Runtime.Tests.Weights;

/// <summary>
/// The stored-tensor abstraction: leases keep a mapping alive past its file, both byte paths
/// (Acquire, OpenRead) agree, and the transforming wrappers (dtype change, fp8 dequantisation, a
/// user-defined transform) give the right values across chunk boundaries and load into a backend.
/// </summary>
public class StoredTensorTests
{
    private readonly RandomData _r = new();
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    /// <summary>More than one chunk, with a row boundary inside the first chunk boundary's row.</summary>
    private static readonly Shape Big = new(3, (TransformedTensor.ChunkElements / 2) + 7);

    private string Write(string name, DType dtype, Shape shape, byte[] bytes, float[]? scale = null)
    {
        var path = _dir.Combine($"{Guid.NewGuid():N}.safetensors");
        var entries = new List<(string, DType, Shape)> { (name, dtype, shape) };
        if (scale is not null)
        {
            entries.Add((name + ScaledFp8.ScaleSuffix, DType.F32, new Shape(scale.Length)));
        }
        using var writer = new SafetensorsWriter(path, entries);
        writer.WriteTensor(name, bytes);
        if (scale is not null)
        {
            writer.WriteTensor(name + ScaledFp8.ScaleSuffix, scale.AsSpan());
        }
        writer.Commit();
        return path;
    }

    private static byte[] Encode(float[] values, DType dtype)
    {
        var bytes = new byte[values.Length * dtype.SizeOf()];
        DTypeCodec.Encode(values, dtype, bytes);
        return bytes;
    }

    private static byte[] ReadStream(StoredTensor t)
    {
        using var s = t.OpenRead();
        using var copy = new MemoryStream();
        s.CopyTo(copy, 4099);
        return copy.ToArray();
    }

    [Test]
    public void ALeaseKeepsTheMappingAliveAfterTheFileIsClosed()
    {
        var values = _r.Normal(1000);
        var file = SafetensorsFile.Open(Write("w", DType.F32, new Shape(10, 100), Encode(values, DType.F32)));
        var tensor = file.Get("w");
        var lease = tensor.Acquire();
        var second = lease.Share();
        file.Dispose();
        Assert.That(MemoryMarshal.Cast<byte, float>(lease.Span(0, 4000)).ToArray(), Is.EqualTo(values));
        lease.Dispose();
        Assert.That(MemoryMarshal.Cast<byte, float>(second.Span(0, 4000)).ToArray(), Is.EqualTo(values), "a shared lease holds its own reference");
        Assert.Throws<ObjectDisposedException>(() => lease.Span(0, 4));
        using (var third = tensor.Acquire())
        {
            Assert.That(third.Length, Is.EqualTo(4000), "the mapping is still alive through the shared lease");
        }
        second.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => tensor.Acquire());
        Assert.That(ex!.Message, Does.Contain(".safetensors"));
    }

    [TestCase(DType.F32)]
    [TestCase(DType.BF16)]
    [TestCase(DType.F16)]
    public void AcquireAndOpenReadGiveTheSameBytes(DType dtype)
    {
        var bytes = Encode(_r.Normal(5000), dtype);
        using var file = SafetensorsFile.Open(Write("w", dtype, new Shape(50, 100), bytes));
        var tensor = file.Get("w");
        Assert.That(tensor.ToByteArray(), Is.EqualTo(bytes));
        Assert.That(ReadStream(tensor), Is.EqualTo(bytes));
        var middle = new float[17];
        tensor.ReadFloats(1234, middle);
        Assert.That(middle, Is.EqualTo(tensor.ToFloatArray().AsSpan(1234, 17).ToArray()));
    }

    [TestCase(DType.F32, DType.BF16)]
    [TestCase(DType.F32, DType.F16)]
    [TestCase(DType.BF16, DType.F32)]
    [TestCase(DType.F16, DType.BF16)]
    [TestCase(DType.F32, DType.F8E4M3)]
    public void DTypeChangeEncodesEveryChunkLikeTheCodec(DType from, DType to)
    {
        var stored = Encode(_r.Normal(checked((int)Big.ElementCount)), from);
        using var file = SafetensorsFile.Open(Write("w", from, Big, stored));
        var source = file.Get("w");
        var changed = new DTypeChangedTensor(source, to);
        var expected = Encode(source.ToFloatArray(), to);
        Assert.That((changed.DType, changed.Shape, changed.Name, changed.ByteLength), Is.EqualTo((to, Big, "w", (long)expected.Length)));
        Assert.That(changed.ToByteArray(), Is.EqualTo(expected), "acquired");
        Assert.That(ReadStream(changed), Is.EqualTo(expected), "streamed");
    }

    [Test]
    public void Fp8DequantisationAppliesPerChannelScalesAcrossChunks()
    {
        var codes = new byte[Big.ElementCount];
        new Random(5).NextBytes(codes);
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (codes[i] & 0x7F) == 0x7F ? (byte)0x38 : codes[i];
        }
        float[] scales = [0.5f, 3f, -0.25f];
        using var checkpoint = SafetensorsCheckpoint.Open(Write("w", DType.F8E4M3, Big, codes, scales));
        var source = checkpoint.Get("w");
        Assert.That(source.Scale!.Values.ToArray(), Is.EqualTo(scales), "the checkpoint attaches NAME_scale");
        var dequantized = new Fp8DequantizedTensor(source);
        var values = MemoryMarshal.Cast<byte, float>(dequantized.ToByteArray()).ToArray();
        var rowLength = Big[1];
        for (int i = 0; i < codes.Length; i += 997)
        {
            Assert.That(values[i], Is.EqualTo(Wan.Kernels.Numerics.FloatCodec.F8E4M3ToFloat(codes[i]) * scales[i / rowLength]), $"element {i}");
        }
        Assert.That(values, Is.EqualTo(source.ToFloatArray()), "ReadFloats applies the same scale");
        Assert.That(MemoryMarshal.Cast<byte, float>(ReadStream(dequantized)).ToArray(), Is.EqualTo(values), "streamed");
    }

    [Test]
    public void Fp8DequantisationRefusesWhatItCannotScale()
    {
        using var plain = SafetensorsCheckpoint.Open(Write("w", DType.F8E4M3, new Shape(2, 3), new byte[6]));
        var ex = Assert.Throws<InvalidDataException>(() => _ = new Fp8DequantizedTensor(plain.Get("w")));
        Assert.That(ex!.Message, Does.Contain("'w_scale'"));
        using var f32 = SafetensorsCheckpoint.Open(Write("w", DType.F32, new Shape(2), new byte[8]));
        Assert.Throws<InvalidDataException>(() => _ = new Fp8DequantizedTensor(f32.Get("w")));
        Assert.Throws<InvalidOperationException>(() => _ = new DTypeChangedTensor(f32.Get("w"), DType.I32));
    }

    /// <summary>A transform written the way a LoRA merge would be: only <see cref="TransformedTensor.Transform"/>.</summary>
    private sealed class AddRowIndex(StoredTensor source, int rowLength) : TransformedTensor(source, DType.F32)
    {
        protected override void Transform(long first, Span<float> values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += (first + i) / rowLength;
            }
        }
    }

    [Test]
    public void ATransformLoadsIntoTheBackendAndSurvivesPageRelease()
    {
        const int n = 4;
        var (m, k) = (Big[0], Big[1]);
        var weights = _r.Normal(checked((int)Big.ElementCount));
        using var file = SafetensorsFile.Open(Write("w", DType.BF16, Big, Encode(weights, DType.BF16)));
        var transformed = new AddRowIndex(file.Get("w"), k);
        var expected = file.Get("w").ToFloatArray();
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] += i / k;
        }
        using var backend = new CpuBackend(eagerWeightElements: 0);
        using var w = backend.LoadWeight(transformed);
        Assert.That(w, Is.TypeOf<MappedCpuTensor>(), "held in its native buffer, not copied to a float array");
        var x = _r.Normal(n * k);
        for (int use = 0; use < 2; use++)
        {
            using var y = backend.Linear(backend.FromHost(x, new Shape(n, k)), w, null);
            Metrics.AssertClose(backend.ToHost(y), NaiveOps.Linear(x, expected, null, n, k, m), 1e-5, $"use {use + 1}: page release keeps a native buffer's data");
        }
    }
}
