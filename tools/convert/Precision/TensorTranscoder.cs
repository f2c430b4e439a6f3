using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Convert.Precision;

/// <summary>
/// Streams one tensor from a source into a <see cref="SafetensorsWriter"/> in a target dtype, a
/// fixed-size chunk at a time, so memory stays bounded whatever the tensor size. FP8 makes two passes
/// (scales first, then the quantized values) and writes the float32 scale tensor right after the weight.
/// </summary>
public static class TensorTranscoder
{
    private const int ChunkElements = 1 << 20;

    /// <summary>The entries a converted tensor occupies in its shard: the tensor, plus its scale for fp8.</summary>
    public static IReadOnlyList<(string Name, DType DType, Shape Shape)> Entries(string name, DType target, Shape shape, TargetPrecision precision)
    {
        if (target != DType.F8E4M3)
        {
            return [(name, target, shape)];
        }
        var scaleShape = precision == TargetPrecision.Fp8PerChannel ? new Shape(shape[0]) : new Shape(1);
        return [(name, target, shape), (name + DTypePolicy.ScaleSuffix, DType.F32, scaleShape)];
    }

    public static TensorReport Write(string component, IWeightSource source, string sourceName, string targetName,
        DType target, TargetPrecision precision, SafetensorsWriter writer)
    {
        var info = source.Describe(sourceName);
        if (target == info.DType)
        {
            CopyRaw(source, sourceName, writer);
            return new TensorReport(component, targetName, info.DType, target, info.Shape.ElementCount, 0, null);
        }
        if (!info.DType.IsFloat() || !target.IsFloat())
        {
            throw new InvalidOperationException($"{source.Location}: tensor '{sourceName}' ({info.DType}) cannot be converted to {target}");
        }
        return target == DType.F8E4M3
            ? WriteFp8(component, source, info, targetName, precision, writer)
            : WriteFloat(component, source, info, targetName, target, writer);
    }

    private static void CopyRaw(IWeightSource source, string name, SafetensorsWriter writer)
    {
        using var s = source.OpenRead(name);
        var buffer = new byte[4 * ChunkElements];
        int n;
        while ((n = s.Read(buffer)) > 0)
        {
            writer.Write(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Calls <paramref name="onChunk"/> with consecutive float32 chunks and the index of their first element.</summary>
    private static void ForEachChunk(IWeightSource source, WeightInfo info, Action<long, ReadOnlySpan<float>> onChunk)
    {
        var size = info.DType.SizeOf();
        var bytes = new byte[ChunkElements * size];
        var floats = new float[ChunkElements];
        using var s = source.OpenRead(info.Name);
        for (long done = 0; done < info.Shape.ElementCount;)
        {
            var n = (int)Math.Min(ChunkElements, info.Shape.ElementCount - done);
            s.ReadExactly(bytes, 0, n * size);
            FloatDecoding.Decode(info.DType, bytes.AsSpan(0, n * size), floats.AsSpan(0, n));
            onChunk(done, floats.AsSpan(0, n));
            done += n;
        }
    }

    private static TensorReport WriteFloat(string component, IWeightSource source, WeightInfo info, string targetName, DType target, SafetensorsWriter writer)
    {
        long saturated = 0;
        var output = new byte[ChunkElements * target.SizeOf()];
        ForEachChunk(source, info, (_, chunk) =>
        {
            var dst = output.AsSpan(0, chunk.Length * target.SizeOf());
            switch (target)
            {
                case DType.F32:
                    MemoryMarshal.AsBytes(chunk).CopyTo(dst);
                    break;
                case DType.BF16:
                    for (int i = 0; i < chunk.Length; i++)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], HalfConversions.FloatToBF16(chunk[i]));
                    }
                    break;
                case DType.F16:
                    for (int i = 0; i < chunk.Length; i++)
                    {
                        saturated += FloatCodec.OutsideF16Range(chunk[i]) ? 1 : 0;
                        BinaryPrimitives.WriteHalfLittleEndian(dst[(2 * i)..], FloatCodec.ToHalf(chunk[i]));
                    }
                    break;
                default:
                    throw new InvalidOperationException($"no float32 -> {target} conversion");
            }
            writer.Write(dst);
        });
        return new TensorReport(component, targetName, info.DType, target, info.Shape.ElementCount, saturated, null);
    }

    private static TensorReport WriteFp8(string component, IWeightSource source, WeightInfo info, string targetName, TargetPrecision precision, SafetensorsWriter writer)
    {
        if (info.Shape.Rank < 1 || info.Shape.ElementCount == 0)
        {
            throw new InvalidOperationException($"{source.Location}: tensor '{info.Name}' {info.Shape} cannot be quantized to fp8");
        }
        var perChannel = precision == TargetPrecision.Fp8PerChannel;
        var rows = perChannel ? info.Shape[0] : 1;
        var rowLength = info.Shape.ElementCount / rows;
        var amax = new float[rows];
        ForEachChunk(source, info, (first, chunk) =>
        {
            for (int i = 0; i < chunk.Length; i++)
            {
                var r = (int)((first + i) / rowLength);
                var a = MathF.Abs(chunk[i]);
                if (a > amax[r] || float.IsNaN(a))
                {
                    amax[r] = a;
                }
            }
        });
        var scales = amax.Select(a => float.IsFinite(a) && a > 0 ? a / Fp8E4M3.Max : 1f).ToArray();

        double errorSquared = 0, normSquared = 0;
        var output = new byte[ChunkElements];
        ForEachChunk(source, info, (first, chunk) =>
        {
            for (int i = 0; i < chunk.Length; i++)
            {
                var scale = scales[(int)((first + i) / rowLength)];
                var q = Fp8E4M3.Encode(chunk[i] / scale);
                output[i] = q;
                double d = (double)HalfConversions.F8E4M3ToFloat(q) * scale - chunk[i];
                errorSquared += d * d;
                normSquared += (double)chunk[i] * chunk[i];
            }
            writer.Write(output.AsSpan(0, chunk.Length));
        });
        writer.Write(MemoryMarshal.AsBytes(scales.AsSpan()));
        var relative = normSquared > 0 ? Math.Sqrt(errorSquared / normSquared) : 0;
        return new TensorReport(component, targetName, info.DType, DType.F8E4M3, info.Shape.ElementCount, 0, relative);
    }
}
