namespace Wan.Runtime.Weights;

/// <summary>
/// The float32 scale of a quantised tensor: one value for the whole tensor, or one per output
/// channel (row, i.e. per index of the first dimension). value = stored · scale; this is how
/// <c>wan-convert --dtype fp8</c> and ComfyUI's "fp8_scaled" checkpoints store weights (NAME_scale).
/// </summary>
public sealed class TensorScale
{
    /// <summary>Throws <see cref="ArgumentException"/> for an empty array.</summary>
    public TensorScale(float[] values)
    {
        if (values.Length == 0)
        {
            throw new ArgumentException("a scale needs at least one value", nameof(values));
        }
        Values = values;
    }

    /// <summary>1 value (per tensor) or one per row.</summary>
    public ReadOnlyMemory<float> Values { get; }

    /// <summary>Multiplies elements [first, first + values.Length) of a tensor with <paramref name="rowLength"/> elements per row.</summary>
    public void Apply(long first, long rowLength, Span<float> values)
    {
        var scales = Values.Span;
        if (scales.Length == 1)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(values, scales[0], values);
            return;
        }
        int done = 0;
        while (done < values.Length)
        {
            long element = first + done;
            long row = element / rowLength;
            int run = (int)Math.Min(values.Length - done, (row + 1) * rowLength - element);
            var part = values.Slice(done, run);
            System.Numerics.Tensors.TensorPrimitives.Multiply(part, scales[(int)row], part);
            done += run;
        }
    }
}
