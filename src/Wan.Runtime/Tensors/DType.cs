namespace Wan.Runtime.Tensors;

/// <summary>Element types a tensor can be stored in (the safetensors set).</summary>
public enum DType
{
    /// <summary>IEEE binary64.</summary>
    F64,

    /// <summary>IEEE binary32.</summary>
    F32,

    /// <summary>IEEE binary16 (max 65504).</summary>
    F16,

    /// <summary>bfloat16: the top 16 bits of a float32.</summary>
    BF16,

    /// <summary>OCP FP8 E4M3 "fn" (no infinities, max 448), as torch.float8_e4m3fn.</summary>
    F8E4M3,

    /// <summary>FP8 E5M2 (IEEE-like: the top byte of an fp16).</summary>
    F8E5M2,

    /// <summary>Signed 64-bit integer.</summary>
    I64,

    /// <summary>Signed 32-bit integer.</summary>
    I32,

    /// <summary>Signed 16-bit integer.</summary>
    I16,

    /// <summary>Signed 8-bit integer.</summary>
    I8,

    /// <summary>Unsigned 8-bit integer.</summary>
    U8,

    /// <summary>Boolean, one byte.</summary>
    Bool,
}

/// <summary>Sizes and names of the <see cref="DType"/>s.</summary>
public static class DTypeInfo
{
    /// <summary>Bytes per element; <see cref="ArgumentOutOfRangeException"/> for an undefined value.</summary>
    public static int SizeOf(this DType t) => t switch
    {
        DType.F64 or DType.I64 => 8,
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 or DType.I16 => 2,
        DType.F8E4M3 or DType.F8E5M2 or DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown dtype"),
    };

    /// <summary>The dtype's name in a safetensors header.</summary>
    public static string SafetensorsName(this DType t) => t switch
    {
        DType.F64 => "F64",
        DType.F32 => "F32",
        DType.F16 => "F16",
        DType.BF16 => "BF16",
        DType.F8E4M3 => "F8_E4M3",
        DType.F8E5M2 => "F8_E5M2",
        DType.I64 => "I64",
        DType.I32 => "I32",
        DType.I16 => "I16",
        DType.I8 => "I8",
        DType.U8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown dtype"),
    };

    /// <summary>The dtype a safetensors header names (e.g. "F8_E4M3"); false for names it does not know.</summary>
    public static bool TryParseSafetensors(string name, out DType type)
    {
        switch (name)
        {
            case "F64": type = DType.F64; return true;
            case "F32": type = DType.F32; return true;
            case "F16": type = DType.F16; return true;
            case "BF16": type = DType.BF16; return true;
            case "F8_E4M3": type = DType.F8E4M3; return true;
            case "F8_E5M2": type = DType.F8E5M2; return true;
            case "I64": type = DType.I64; return true;
            case "I32": type = DType.I32; return true;
            case "I16": type = DType.I16; return true;
            case "I8": type = DType.I8; return true;
            case "U8": type = DType.U8; return true;
            case "BOOL": type = DType.Bool; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Whether the dtype holds floating-point values.</summary>
    public static bool IsFloat(this DType t) =>
        t is DType.F64 or DType.F32 or DType.F16 or DType.BF16 or DType.F8E4M3 or DType.F8E5M2;
}
