using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>The reference gather: the table (small, [buckets, heads]) is read once, every bias element copied from it.</summary>
    /// <inheritdoc cref="ITextEncoderOps.RelativePositionBias"/>
    public Tensor RelativePositionBias(Tensor table, ReadOnlySpan<int> offsetBuckets, int queries, int keys)
    {
        var (_, heads) = TextChecks.PositionBias(table, offsetBuckets, queries, keys);
        var values = ToHost(table);
        var bias = new float[checked((long)heads * queries * keys)];
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < queries; i++)
            {
                var row = bias.AsSpan(checked((int)(((long)h * queries + i) * keys)), keys);
                for (int j = 0; j < keys; j++)
                {
                    row[j] = values[offsetBuckets[j - i + queries - 1] * heads + h];
                }
            }
        }
        return new CpuTensor(this, new Shape(heads, queries, keys), bias);
    }

    /// <summary>The CPU stores float32, which never needs the fp16 clamp: the plain residual add.</summary>
    /// <inheritdoc cref="ITextEncoderOps.ResidualAddInPlace"/>
    public void ResidualAddInPlace(Tensor x, Tensor y) => AddInPlace(x, y);
}
