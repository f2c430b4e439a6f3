namespace Wan.Kernels.Device;

/// <summary>Storage type of a GEMM operand; accumulation is always fp32.</summary>
public enum GemmType
{
    /// <summary>32-bit float.</summary>
    F32,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
}

/// <summary>
/// A row-major strided-batched GEMM: for b in [0, BatchCount):
/// C_b[M, N] = Alpha · op(A_b) · op(B_b) + Beta · C_b, op = transpose when Trans*.
/// A is [M, K] (or [K, M] when TransA) with leading dimension Lda; likewise B [K, N] / [N, K], C [M, N].
/// Addresses are device addresses; strides are in elements.
/// </summary>
public readonly record struct GemmDesc(
    bool TransA, bool TransB, int M, int N, int K, float Alpha,
    ulong A, int Lda, long StrideA,
    ulong B, int Ldb, long StrideB,
    float Beta,
    ulong C, int Ldc, long StrideC,
    int BatchCount,
    GemmType InputType,
    GemmType OutputType)
{
    /// <summary>
    /// The rules every device enforces (cuBLAS's, so the emulated device refuses what a GPU refuses):
    /// sizes ≥ 0 and a batch ≥ 1; F32 inputs give F32 output, F16/BF16 inputs give their own type or
    /// F32; every leading dimension covers its row-major row; an operand that is read has an address.
    /// </summary>
    public void Validate()
    {
        if (M < 0 || N < 0 || K < 0 || BatchCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchCount), $"GEMM {M}x{N}x{K} x{BatchCount}: sizes must be >= 0 and the batch >= 1");
        }
        if (InputType != OutputType && OutputType != GemmType.F32 || InputType == GemmType.F32 && OutputType != GemmType.F32)
        {
            throw new ArgumentException($"GEMM {InputType} inputs cannot produce {OutputType} output (cuBLAS: same type, or F32 from F16/BF16)", nameof(OutputType));
        }
        CheckLeading("A", Lda, TransA ? M : K, nameof(Lda));
        CheckLeading("B", Ldb, TransB ? K : N, nameof(Ldb));
        CheckLeading("C", Ldc, N, nameof(Ldc));
        bool writesC = M > 0 && N > 0, readsAB = writesC && K > 0;
        if (writesC && C == 0 || readsAB && (A == 0 || B == 0))
        {
            throw new ArgumentException($"GEMM {M}x{N}x{K}: a null operand address (A {A:X}, B {B:X}, C {C:X})");
        }
    }

    private void CheckLeading(string operand, int ld, int columns, string parameter)
    {
        if (ld < Math.Max(1, columns))
        {
            throw new ArgumentOutOfRangeException(parameter, $"GEMM {M}x{N}x{K}: leading dimension of {operand} is {ld}, the row-major rows have {columns} elements");
        }
    }
}
