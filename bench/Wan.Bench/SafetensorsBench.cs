using BenchmarkDotNet.Attributes;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench;

/// <summary>
/// Opening a 512 MiB checkpoint and reading its first tensor through the memory map, against
/// reading the whole file: what start-up costs when weights stay mapped.
/// </summary>
[Config(typeof(BenchConfig))]
public class SafetensorsBench : IWorkload
{
    private const int Tensors = 32, Rows = 4096, Cols = 1024; // 32 x 16 MiB of F32
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "wan-bench-safetensors.safetensors");
        var entries = Enumerable.Range(0, Tensors).Select(i => ($"blocks.{i}.weight", DType.F32, new Shape(Rows, Cols))).ToList();
        using var w = new SafetensorsWriter(_path, entries);
        var row = new float[Rows * Cols];
        new Random(4).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        for (int i = 0; i < row.Length; i++)
        {
            row[i] = float.IsFinite(row[i]) ? row[i] : 0;
        }
        foreach (var e in entries)
        {
            w.WriteTensor(e.Item1, row);
        }
        w.Commit();
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true)]
    public long ReadWholeFile() => File.ReadAllBytes(_path).LongLength;

    [Benchmark]
    public float OpenAndReadFirstTensor()
    {
        using var f = SafetensorsFile.Open(_path);
        var t = f.Get("blocks.0.weight");
        Span<float> first = stackalloc float[16];
        t.ReadFloats(0, first);
        return first[0];
    }

    public (double Amount, string Unit) Work(string method) =>
        (method == nameof(ReadWholeFile) ? (double)Tensors * Rows * Cols * 4 / 1e9 : 16.0 * 4 / 1e9, "GB");
}
