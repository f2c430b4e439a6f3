using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Backends;

/// <summary>
/// Weights left memory-mapped in their stored dtype: every op that takes a weight gives the result
/// it gives on the same weight converted to float32 first, and Linear's memory stays bounded.
/// </summary>
public class CpuMappedWeightTests
{
    private readonly RandomData _r = new();
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-mapped-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes tensors in the given dtype and returns the values as stored (rounded to that dtype).</summary>
    private (string Path, Dictionary<string, float[]> Stored) Write(DType dtype, params (string Name, Shape Shape)[] tensors)
    {
        var path = Path.Combine(_dir, $"w-{Guid.NewGuid():N}.safetensors");
        var stored = new Dictionary<string, float[]>();
        using var writer = new SafetensorsWriter(path, [.. tensors.Select(t => (t.Name, dtype, t.Shape))]);
        foreach (var (name, shape) in tensors)
        {
            var values = _r.Normal(checked((int)shape.ElementCount));
            switch (dtype)
            {
                case DType.BF16:
                    var bf = values.Select(FloatCodec.FloatToBF16).ToArray();
                    writer.WriteTensor(name, MemoryMarshal.AsBytes(bf.AsSpan()));
                    values = [.. bf.Select(FloatCodec.BF16ToFloat)];
                    break;
                case DType.F16:
                    var h = values.Select(v => (Half)v).ToArray();
                    writer.WriteTensor(name, MemoryMarshal.AsBytes(h.AsSpan()));
                    values = [.. h.Select(v => (float)v)];
                    break;
                default:
                    writer.WriteTensor(name, values);
                    break;
            }
            stored[name] = values;
        }
        writer.Commit();
        return (path, stored);
    }

    private static Tensor Load(CpuBackend backend, string path, string name)
    {
        using var file = SafetensorsFile.Open(path);
        return backend.LoadWeight(file.Get(name));
    }

    [TestCase(DType.BF16, 1 << 30)]
    [TestCase(DType.F16, 1 << 30)]
    [TestCase(DType.F32, 1 << 30)]
    [TestCase(DType.BF16, 1000)]
    [TestCase(DType.F16, 517)]
    [TestCase(DType.F32, 1000)]
    public void LinearOverMappedWeightEqualsConvertedWeight(DType dtype, int scratchFloats)
    {
        const int n = 37, k = 259, m = 301;
        var (path, stored) = Write(dtype, ("w", new Shape(m, k)));
        using var mappedBackend = new CpuBackend(eagerWeightElements: 0, linearScratchFloats: scratchFloats);
        using var eager = new CpuBackend();
        var x = _r.Normal(n * k);
        var bias = _r.Normal(m);

        using var w = Load(mappedBackend, path, "w");
        Assert.That(w, Is.TypeOf<MappedCpuTensor>());
        Assert.That(w.DType, Is.EqualTo(dtype));
        using var y = mappedBackend.Linear(mappedBackend.FromHost(x, new Shape(n, k)), w, mappedBackend.FromHost(bias, new Shape(m)));
        using var reference = eager.Linear(eager.FromHost(x, new Shape(n, k)), eager.FromHost(stored["w"], new Shape(m, k)), eager.FromHost(bias, new Shape(m)));

        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        Metrics.AssertClose(mappedBackend.ToHost(y), eager.ToHost(reference), 1e-6, $"{dtype} linear, scratch {scratchFloats}");
        Metrics.AssertClose(mappedBackend.ToHost(y), NaiveOps.Linear(x, stored["w"], bias, n, k, m), 1e-5, $"{dtype} linear vs loop");
    }

    [Test]
    public void LinearOverBigMappedWeightAllocatesOnlyOutputAndScratch()
    {
        const int n = 3, k = 2053, m = 4099; // 8.4 M weights: 33.7 MB as float32
        const int scratchFloats = 1 << 16;
        var (path, stored) = Write(DType.BF16, ("w", new Shape(m, k)));
        using var backend = new CpuBackend(eagerWeightElements: 0, linearScratchFloats: scratchFloats);
        using var w = Load(backend, path, "w");
        var xs = _r.Normal(n * k);
        using var x = backend.FromHost(xs, new Shape(n, k));
        backend.Linear(x, w, null).Dispose(); // the first call rents the scratch from the pool

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var y = backend.Linear(x, w, null);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long bound = (long)n * m * sizeof(float) + scratchFloats * sizeof(float) + (64 << 10);
        Assert.That(allocated, Is.LessThan(bound), $"Linear over a {w.Shape} BF16 weight allocated {allocated} bytes");
        Assert.That(bound, Is.LessThan(w.ElementCount * sizeof(float) / 50), "the bound must be far below the float32 weight");
        Metrics.AssertClose(backend.ToHost(y), NaiveOps.Linear(xs, stored["w"], null, n, k, m), 1e-5, "big mapped linear");
    }

    [TestCase(DType.BF16)]
    [TestCase(DType.F16)]
    [TestCase(DType.F32)]
    public void EmbeddingSliceRowsReshapeAndToHostReadMappedWeights(DType dtype)
    {
        const int vocab = 97, dim = 13;
        var (path, stored) = Write(dtype, ("table", new Shape(vocab, dim)));
        using var backend = new CpuBackend(eagerWeightElements: 0);
        using var table = Load(backend, path, "table");
        Assert.That(table, Is.TypeOf<MappedCpuTensor>());
        var all = stored["table"];

        Assert.That(backend.ToHost(table), Is.EqualTo(all));
        int[] ids = [5, 0, 96, 5, 41];
        using var rows = backend.Embedding(table, ids);
        Assert.That(backend.ToHost(rows), Is.EqualTo(ids.SelectMany(i => all.Skip(i * dim).Take(dim)).ToArray()));
        using var slice = backend.SliceRows(table, 90, 7);
        Assert.That(backend.ToHost(slice), Is.EqualTo(all.Skip(90 * dim).Take(7 * dim).ToArray()));
        using var flat = backend.Reshape(table, new Shape(vocab * dim));
        Assert.That(flat.Shape, Is.EqualTo(new Shape(vocab * dim)));
        Assert.That(backend.ToHost(flat), Is.EqualTo(all));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Embedding(table, [vocab]));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.SliceRows(table, 95, 3));
    }

    [Test]
    public void OpsWithoutStreamingMaterialiseMappedWeights()
    {
        const int cin = 5, cout = 7;
        var (path, stored) = Write(DType.BF16, ("conv", new Shape(cout, cin, 3, 3)), ("patch", new Shape(cout, cin, 1, 2, 2)));
        using var mapped = new CpuBackend(eagerWeightElements: 0);
        using var eager = new CpuBackend();
        var x = _r.Normal(cin * 2 * 6 * 8);
        var bias = _r.Normal(cout);
        var spec = Conv2dSpec.Same(1);
        var patch = (1, 2, 2);

        using var conv = Load(mapped, path, "conv");
        using var patchWeight = Load(mapped, path, "patch");
        Tensor X(CpuBackend b) => b.FromHost(x, new Shape(cin, 2, 6, 8));
        Tensor B(CpuBackend b) => b.FromHost(bias, new Shape(cout));

        using var y = mapped.Conv2dFrames(X(mapped), conv, B(mapped), spec);
        using var yRef = eager.Conv2dFrames(X(eager), eager.FromHost(stored["conv"], conv.Shape), B(eager), spec);
        Assert.That(mapped.ToHost(y), Is.EqualTo(eager.ToHost(yRef)));
        using var p = mapped.Patchify(X(mapped), patchWeight, B(mapped), patch);
        using var pRef = eager.Patchify(X(eager), eager.FromHost(stored["patch"], patchWeight.Shape), B(eager), patch);
        Assert.That(mapped.ToHost(p), Is.EqualTo(eager.ToHost(pRef)));
    }

    [Test]
    public void SmallAndOneDimensionalWeightsAreConvertedWhenLoaded()
    {
        var (path, stored) = Write(DType.BF16, ("norm", new Shape(600)), ("small", new Shape(6, 10)), ("big", new Shape(40, 10)));
        using var backend = new CpuBackend(eagerWeightElements: 60);
        using var norm = Load(backend, path, "norm");
        using var small = Load(backend, path, "small");
        using var big = Load(backend, path, "big");
        Assert.That(norm, Is.TypeOf<CpuTensor>());
        Assert.That(small, Is.TypeOf<CpuTensor>());
        Assert.That(big, Is.TypeOf<MappedCpuTensor>());
        Assert.That(backend.ToHost(small), Is.EqualTo(stored["small"]));
    }

    [Test]
    public void MappedWeightOutlivesTheCheckpointAndDiesWithTheBackend()
    {
        var (path, stored) = Write(DType.BF16, ("w", new Shape(11, 9)));
        var backend = new CpuBackend(eagerWeightElements: 0);
        Tensor w;
        using (var checkpoint = SafetensorsCheckpoint.Open(path))
        {
            w = backend.LoadWeight(checkpoint.Get("w"));
        }
        Assert.That(backend.ToHost(w), Is.EqualTo(stored["w"]), "readable after the checkpoint was closed");
        using var reshaped = backend.Reshape(w, new Shape(99));
        w.Dispose();
        Assert.That(backend.ToHost(reshaped), Is.EqualTo(stored["w"]), "a reshaped view keeps the mapping alive");
        Assert.Throws<ObjectDisposedException>(() => backend.ToHost(w));
        backend.Dispose();
        Assert.Throws<ObjectDisposedException>(() => backend.ToHost(reshaped));
    }

    [Test]
    public void WeightFromAnotherBackendIsRejected()
    {
        var (path, _) = Write(DType.BF16, ("w", new Shape(8, 4)));
        using var owner = new CpuBackend(eagerWeightElements: 0);
        using var other = new CpuBackend();
        using var w = Load(owner, path, "w");
        var ex = Assert.Throws<ArgumentException>(() => other.Linear(other.FromHost(new float[4], new Shape(1, 4)), w, null));
        Assert.That(ex!.Message, Does.Contain("does not belong"));
    }

    [Test]
    public void InvalidBackendSettingsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuBackend(eagerWeightElements: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuBackend(linearScratchFloats: 0));
    }
}
