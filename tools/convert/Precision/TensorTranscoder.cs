using System.Runtime.InteropServices;
using Wan.Convert.Weights;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Transforms;

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
        return [(name, target, shape), (name + ScaledFp8.ScaleSuffix, DType.F32, scaleShape)];
    }

    /// <summary>
    /// Writes tensor <paramref name="sourceName"/> of <paramref name="source"/> as <paramref name="target"/>
    /// under <paramref name="targetName"/>. Throws <see cref="InvalidOperationException"/> naming the
    /// location for an fp8 source or a conversion between float and integer types.
    /// </summary>
    public static TensorReport Write(string component, ITensorSource source, string sourceName, string targetName,
        DType target, TargetPrecision precision, SafetensorsWriter writer)
    {
        var tensor = source.Get(sourceName);
        if (ScaledFp8.IsFp8(tensor.DType))
        {
            // Its codes only mean something with the NAME_scale beside them; re-quantizing or widening
            // them here would silently drop that scale.
            throw new InvalidOperationException(
                $"{source.Location}: tensor '{sourceName}' is already fp8; convert from the bf16/fp32 checkpoint instead");
        }
        if (target == tensor.DType)
        {
            CopyRaw(tensor, writer);
            return new TensorReport(component, targetName, tensor.DType, target, tensor.ElementCount, 0, null);
        }
        if (!tensor.DType.IsFloat() || !target.IsFloat())
        {
            throw new InvalidOperationException($"{source.Location}: tensor '{sourceName}' ({tensor.DType}) cannot be converted to {target}");
        }
        return target == DType.F8E4M3
            ? WriteFp8(component, tensor, targetName, precision, writer)
            : WriteFloat(component, tensor, targetName, target, writer);
    }

    private static void CopyRaw(StoredTensor tensor, SafetensorsWriter writer)
    {
        using var s = tensor.OpenRead();
        var buffer = new byte[4 * ChunkElements];
        int n;
        while ((n = s.Read(buffer)) > 0)
        {
            writer.Write(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Calls <paramref name="onChunk"/> with consecutive float32 chunks and the index of their first element.</summary>
    private static void ForEachChunk(StoredTensor tensor, Action<long, ReadOnlySpan<float>> onChunk)
    {
        var floats = new float[FloatChunks.ChunkElements];
        using var chunks = new FloatChunks(tensor);
        long done = 0;
        int n;
        while ((n = chunks.Next(floats)) > 0)
        {
            onChunk(done, floats.AsSpan(0, n));
            done += n;
        }
    }

    /// <summary>
    /// F32/BF16/F16 output, rounded to nearest even by the runtime's codec. For F16, finite values
    /// beyond ±65504 saturate to ±65504 rather than becoming infinite (and are counted in the report).
    /// </summary>
    private static TensorReport WriteFloat(string component, StoredTensor tensor, string targetName, DType target, SafetensorsWriter writer)
    {
        long saturated = 0;
        var output = new byte[ChunkElements * target.SizeOf()];
        var clamped = new float[ChunkElements];
        ForEachChunk(tensor, (_, chunk) =>
        {
            var values = chunk;
            if (target == DType.F16)
            {
                var limit = (float)Half.MaxValue;
                for (int i = 0; i < chunk.Length; i++)
                {
                    var outside = float.IsFinite(chunk[i]) && MathF.Abs(chunk[i]) > limit;
                    saturated += outside ? 1 : 0;
                    clamped[i] = outside ? MathF.CopySign(limit, chunk[i]) : chunk[i];
                }
                values = clamped.AsSpan(0, chunk.Length);
            }
            var dst = output.AsSpan(0, chunk.Length * target.SizeOf());
            DTypeCodec.Encode(values, target, dst);
            writer.Write(dst);
        });
        return new TensorReport(component, targetName, tensor.DType, target, tensor.ElementCount, saturated, null);
    }

    private static TensorReport WriteFp8(string component, StoredTensor tensor, string targetName, TargetPrecision precision, SafetensorsWriter writer)
    {
        if (tensor.Shape.Rank < 1 || tensor.ElementCount == 0)
        {
            throw new InvalidOperationException($"{tensor.Location}: tensor '{tensor.Name}' {tensor.Shape} cannot be quantized to fp8");
        }
        var perChannel = precision == TargetPrecision.Fp8PerChannel;
        var rows = perChannel ? tensor.Shape[0] : 1;
        var rowLength = tensor.ElementCount / rows;
        var amax = new float[rows];
        ForEachChunk(tensor, (first, chunk) =>
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
        var scales = amax.Select(a => float.IsFinite(a) && a > 0 ? a / FloatCodec.F8E4M3Max : 1f).ToArray();

        double errorSquared = 0, normSquared = 0;
        var output = new byte[ChunkElements];
        ForEachChunk(tensor, (first, chunk) =>
        {
            for (int i = 0; i < chunk.Length; i++)
            {
                var scale = scales[(int)((first + i) / rowLength)];
                var q = FloatCodec.FloatToF8E4M3(chunk[i] / scale);
                output[i] = q;
                double d = (double)FloatCodec.F8E4M3ToFloat(q) * scale - chunk[i];
                errorSquared += d * d;
                normSquared += (double)chunk[i] * chunk[i];
            }
            writer.Write(output.AsSpan(0, chunk.Length));
        });
        writer.Write(MemoryMarshal.AsBytes(scales.AsSpan()));
        var relative = normSquared > 0 ? Math.Sqrt(errorSquared / normSquared) : 0;
        return new TensorReport(component, targetName, tensor.DType, DType.F8E4M3, tensor.ElementCount, 0, relative);
    }
}
