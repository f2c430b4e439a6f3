using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Convert.Writing;

/// <summary>
/// One unit of output: the safetensors entries it occupies (a weight, or an fp8 weight and its scale)
/// and the action that streams their bytes, in that order, into the shard's writer.
/// </summary>
public sealed record PlannedTensor(
    IReadOnlyList<(string Name, DType DType, Shape Shape)> Entries,
    Action<SafetensorsWriter> Write)
{
    public long ByteLength => Entries.Sum(e => e.Shape.ElementCount * e.DType.SizeOf());
}
