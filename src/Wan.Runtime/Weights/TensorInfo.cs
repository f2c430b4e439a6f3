using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights;

/// <summary>One tensor's header entry: where its bytes lie relative to the start of the data section.</summary>
public sealed record TensorInfo(string Name, DType DType, Shape Shape, long DataOffset, long ByteLength);
