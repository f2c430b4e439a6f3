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
        Validate(gemm);
        if (gemm.M == 0 || gemm.N == 0)
        {
            return;
        }
        var alpha = gemm.Alpha;
        var beta = gemm.Beta;
        _context.MakeCurrent();
        Check(Cublas.cublasGemmStridedBatchedEx(_blas.DangerousGetHandle(),
            gemm.TransB ? Cublas.OpT : Cublas.OpN, gemm.TransA ? Cublas.OpT : Cublas.OpN,
            gemm.N, gemm.M, gemm.K, &alpha,
            gemm.B, DataType(gemm.InputType), gemm.Ldb, gemm.StrideB,
            gemm.A, DataType(gemm.InputType), gemm.Lda, gemm.StrideA,
            &beta, gemm.C, DataType(gemm.OutputType), gemm.Ldc, gemm.StrideC,
            gemm.BatchCount, Cublas.ComputeType32F, Cublas.GemmAlgoDefault));
    }

    private static int DataType(GemmType type) => type switch
    {
        GemmType.F32 => Cublas.DataTypeR32F,
        GemmType.F16 => Cublas.DataTypeR16F,
        GemmType.BF16 => Cublas.DataTypeR16BF,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GEMM storage type"),
    };

    private static void Validate(GemmDesc g)
    {
        if (g.M < 0 || g.N < 0 || g.K < 0 || g.BatchCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(g), $"GEMM {g.M}x{g.N}x{g.K} x{g.BatchCount}: sizes must be >= 0 and the batch >= 1");
        }
        if (g.InputType != g.OutputType && g.OutputType != GemmType.F32 || g.InputType == GemmType.F32 && g.OutputType != GemmType.F32)
        {
            throw new ArgumentException($"GEMM {g.InputType} inputs cannot produce {g.OutputType} output (cuBLAS: same type, or F32 from F16/BF16)", nameof(g));
        }
        CheckLeading("A", g.Lda, g.TransA ? g.M : g.K);
        CheckLeading("B", g.Ldb, g.TransB ? g.K : g.N);
        CheckLeading("C", g.Ldc, g.N);

        void CheckLeading(string operand, int ld, int columns)
        {
            if (ld < Math.Max(1, columns))
            {
                throw new ArgumentOutOfRangeException(nameof(g), $"GEMM {g.M}x{g.N}x{g.K}: leading dimension of {operand} is {ld}, the row-major rows have {columns} elements");
            }
        }
    }
}
