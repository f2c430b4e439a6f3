namespace Wan.Kernels.Ops;

/// <summary>Storage type of a kernel's tensors; the kernels compute in fp32 whatever the storage.</summary>
public enum ElementType
{
    F32,
    F16,
    BF16,
}

public static class ElementTypeInfo
{
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
