using Wan.Runtime.Tensors;

namespace Wan.Convert.Precision;

/// <summary>
/// What happened to one tensor during conversion: its dtypes, how many finite values lay outside the
/// float16 range (saturated to +-65504), and for fp8 the relative L2 error of the dequantized weight.
/// </summary>
public sealed record TensorReport(
    string Component, string Name, DType Source, DType Target, long Elements, long SaturatedToF16Max, double? Fp8RelativeError);
