namespace Wan.Kernels.Ops;

/// <summary>Storage type of a kernel's tensors; the kernels compute in fp32 whatever the storage.</summary>
public enum ElementType
{
    /// <summary>IEEE fp32.</summary>
    F32,
    /// <summary>IEEE fp16 (largest finite value 65504).</summary>
    F16,
    /// <summary>bfloat16 (fp32's exponent range, 8 mantissa bits).</summary>
    BF16,
}

/// <summary>Sizes and kernel-name suffixes of <see cref="ElementType"/>.</summary>
public static class ElementTypeInfo
{
    /// <summary>Bytes per element: 4 for F32, 2 for F16 and BF16.</summary>
    public static int Size(this ElementType type) => type switch
    {
        ElementType.F32 => 4,
        ElementType.F16 or ElementType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    /// <summary>The suffix of the kernel instantiated for this type (rms_norm_bf16, ...).</summary>
    public static string KernelSuffix(this ElementType type) => type switch
    {
        ElementType.F32 => "f32",
        ElementType.F16 => "f16",
        ElementType.BF16 => "bf16",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };
}
