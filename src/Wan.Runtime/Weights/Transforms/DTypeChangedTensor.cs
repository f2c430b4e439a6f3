using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights.Transforms;

/// <summary>
/// A float tensor re-stored in another float dtype (round to nearest even; a source scale is applied
/// first, so the result carries none). E.g. a bf16 weight as F32 for a backend without bf16, or an
/// F32 weight as BF16 to halve its memory.
/// </summary>
public sealed class DTypeChangedTensor(StoredTensor source, DType dtype) : TransformedTensor(source, dtype);
