using Wan.Runtime.Tensors;

namespace Wan.Convert.Weights;

/// <summary>Name, element type and shape of one stored tensor.</summary>
public sealed record WeightInfo(string Name, DType DType, Shape Shape)
{
    public long ByteLength => Shape.ElementCount * DType.SizeOf();
}
