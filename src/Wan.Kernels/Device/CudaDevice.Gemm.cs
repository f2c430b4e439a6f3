using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Device;

public sealed unsafe partial class CudaDevice
{
    /// <summary>
    /// Row-major GEMM on cuBLAS (column-major): a row-major matrix is its transpose in column-major,
    /// so C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ — B goes first, A second, M and N swap,
    /// and the transpose flags and leading dimensions carry over unchanged.
    /// </summary>
    public void Gemm(in GemmDesc gemm)
    {
        gemm.Validate();
        if (gemm.M == 0 || gemm.N == 0)
        {
            return;
        }
        var alpha = gemm.Alpha;
        var beta = gemm.Beta;
        using var scope = _gate.Enter("GEMM", Name);
        _context.MakeCurrent();
        Check(Cublas.cublasGemmStridedBatchedEx(_blas.DangerousGetHandle(),
            gemm.TransB ? Cublas.OpT : Cublas.OpN, gemm.TransA ? Cublas.OpT : Cublas.OpN,
            gemm.N, gemm.M, gemm.K, &alpha,
            gemm.B, DataType(gemm.InputType), gemm.Ldb, gemm.StrideB,
            gemm.A, DataType(gemm.InputType), gemm.Lda, gemm.StrideA,
            &beta, gemm.C, DataType(gemm.OutputType), gemm.Ldc, gemm.StrideC,
            gemm.BatchCount, Cublas.ComputeType32F, Cublas.GemmAlgoDefault));
        if (Recording is { } capture)
        {
            _capture = capture with { Gemms = capture.Gemms + 1 };
            return;
        }
        var (m, n, k, batch) = (gemm.M, gemm.N, gemm.K, gemm.BatchCount);
        SynchronizeIfDebugging(() => $"cuBLAS GEMM {m}x{n}x{k} (batch {batch})");
    }

    private static int DataType(GemmType type) => type switch
    {
        GemmType.F32 => Cublas.DataTypeR32F,
        GemmType.F16 => Cublas.DataTypeR16F,
        GemmType.BF16 => Cublas.DataTypeR16BF,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GEMM storage type"),
    };
}
