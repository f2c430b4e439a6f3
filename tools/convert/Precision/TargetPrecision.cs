namespace Wan.Convert.Precision;

/// <summary>What the converter stores the large weight matrices in.</summary>
public enum TargetPrecision
{
    Fp32,
    Bf16,
    Fp16,
    /// <summary>FP8 E4M3 with one float32 scale per tensor.</summary>
    Fp8PerTensor,
    /// <summary>FP8 E4M3 with one float32 scale per output channel (row of the weight).</summary>
    Fp8PerChannel,
}

public static class TargetPrecisionNames
{
    public static TargetPrecision Parse(string dtype, string fp8Scale = "tensor") => (dtype, fp8Scale) switch
    {
        ("fp32", _) => TargetPrecision.Fp32,
        ("bf16", _) => TargetPrecision.Bf16,
        ("fp16", _) => TargetPrecision.Fp16,
        ("fp8", "tensor") => TargetPrecision.Fp8PerTensor,
        ("fp8", "channel") => TargetPrecision.Fp8PerChannel,
        ("fp8", _) => throw new ArgumentException($"--fp8-scale must be 'tensor' or 'channel', got '{fp8Scale}'"),
        _ => throw new ArgumentException($"--dtype must be fp32, bf16, fp16 or fp8, got '{dtype}'"),
    };
}
