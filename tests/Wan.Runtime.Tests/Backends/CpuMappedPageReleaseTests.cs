using System.Globalization;
using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Backends;

/// <summary>
/// A Linear over a mapped weight drops the weight's pages from the resident set afterwards (read
/// from this process's /proc/self/smaps entry of the weight file), and the weight still gives the
/// right result when it is used again.
/// </summary>
public class CpuMappedPageReleaseTests
{
    private const int N = 5, K = 2053, M = 1031;

    private readonly RandomData _r = new();
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-release-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void LinearReleasesTheWeightPagesAndTheWeightStaysUsable()
    {
        var (path, stored) = WriteBf16Weight();
        using var backend = new CpuBackend(eagerWeightElements: 0);
        Assert.That(backend.ReleaseWeightPagesAfterLinear, Is.True, "release is the default");
        using var w = LoadWeight(backend, path);
        long weightBytes = (long)M * K * sizeof(ushort);

        for (int use = 0; use < 2; use++)
        {
            var x = _r.Normal(N * K);
            using var y = backend.Linear(backend.FromHost(x, new Shape(N, K)), w, null);
            Metrics.AssertClose(backend.ToHost(y), NaiveOps.Linear(x, stored, null, N, K, M), 1e-5, $"linear, use {use + 1}");
            long resident = ResidentBytes(path);
            Assert.That(resident, Is.LessThan(weightBytes / 8),
                $"use {use + 1}: {resident} bytes of the {weightBytes}-byte weight still resident after the Linear");
        }
    }

    [Test]
    public void WithoutReleaseTheWeightStaysResident()
    {
        var (path, stored) = WriteBf16Weight();
        using var backend = new CpuBackend(eagerWeightElements: 0) { ReleaseWeightPagesAfterLinear = false };
        using var w = LoadWeight(backend, path);
        var x = _r.Normal(N * K);
        using var y = backend.Linear(backend.FromHost(x, new Shape(N, K)), w, null);
        Metrics.AssertClose(backend.ToHost(y), NaiveOps.Linear(x, stored, null, N, K, M), 1e-5, "linear without release");
        long weightBytes = (long)M * K * sizeof(ushort);
        Assert.That(ResidentBytes(path), Is.GreaterThanOrEqualTo(weightBytes * 9 / 10), "the measurement sees the pages a Linear touched");
    }

    [Test]
    public void ReleasingADisposedWeightIsRefused()
    {
        var (path, _) = WriteBf16Weight();
        using var backend = new CpuBackend(eagerWeightElements: 0);
        var w = (MappedCpuTensor)LoadWeight(backend, path);
        w.Dispose();
        Assert.That(w.ReleasePages, Throws.TypeOf<ObjectDisposedException>());
    }

    private (string Path, float[] Stored) WriteBf16Weight()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var bf = _r.Normal(M * K).Select(FloatCodec.FloatToBF16).ToArray();
        using (var writer = new SafetensorsWriter(path, [("w", DType.BF16, new Shape(M, K))]))
        {
            writer.WriteTensor("w", MemoryMarshal.AsBytes(bf.AsSpan()));
            writer.Commit();
        }
        return (path, [.. bf.Select(FloatCodec.BF16ToFloat)]);
    }

    private static Tensor LoadWeight(CpuBackend backend, string path)
    {
        using var file = SafetensorsFile.Open(path);
        var w = backend.LoadWeight(file.Get("w"));
        Assert.That(w, Is.TypeOf<MappedCpuTensor>());
        return w;
    }

    /// <summary>Sum of the Rss lines of every mapping of <paramref name="path"/> in /proc/self/smaps.</summary>
    private static long ResidentBytes(string path)
    {
        var full = Path.GetFullPath(path);
        long kib = 0;
        bool inFile = false, seen = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && fields[0].Contains('-') && !fields[0].EndsWith(':'))
            {
                inFile = fields.Length >= 6 && string.Join(' ', fields[5..]) == full;
                seen |= inFile;
            }
            else if (inFile && fields.Length >= 2 && fields[0] == "Rss:")
            {
                kib += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        Assert.That(seen, Is.True, $"{full} is not mapped by this process");
        return kib * 1024;
    }
}
