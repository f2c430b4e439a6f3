using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench;

/// <summary>Seeded random inputs and temp-file weights shared by the benchmark classes.</summary>
internal static class BenchData
{
    public static float[] Uniform(Random random, long count)
    {
        var values = new float[count];
        foreach (ref var v in values.AsSpan())
        {
            v = random.NextSingle() - 0.5f;
        }
        return values;
    }

    public static Tensor Tensor(CpuBackend backend, Random random, params int[] shape) =>
        backend.FromHost(Uniform(random, new Shape(shape).ElementCount), new Shape(shape));

    /// <summary>Writes one BF16 tensor of the given float values to a temp safetensors file.</summary>
    public static string WriteBf16(string name, float[] values, Shape shape)
    {
        var path = Path.Combine(Path.GetTempPath(), $"wan-bench-{name}-{Environment.ProcessId}.safetensors");
        using var writer = new SafetensorsWriter(path, [(name, DType.BF16, shape)]);
        var bits = values.Select(FloatCodec.FloatToBF16).ToArray();
        writer.WriteTensor(name, MemoryMarshal.AsBytes(bits.AsSpan()));
        writer.Commit();
        return path;
    }
}
