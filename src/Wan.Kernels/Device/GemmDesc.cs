namespace Wan.Kernels.Device;

/// <summary>Storage type of a GEMM operand; accumulation is always fp32.</summary>
public enum GemmType
{
    F32,
    F16,
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
    GemmType OutputType);
