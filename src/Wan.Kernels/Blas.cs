using Wan.Kernels.Interop;

namespace Wan.Kernels;

/// <summary>Safe row-major single-precision GEMM over OpenBLAS: C = alpha * op(A) * op(B) + beta * C.</summary>
public static unsafe class Blas
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        long needA = transA ? (long)(k - 1) * lda + m : (long)(m - 1) * lda + k;
        long needB = transB ? (long)(n - 1) * ldb + k : (long)(k - 1) * ldb + n;
        long needC = (long)(m - 1) * ldc + n;
        if (k > 0 && (a.Length < needA || b.Length < needB) || c.Length < needC)
        {
            throw new ArgumentException($"sgemm {m}x{n}x{k}: a buffer is too small (A {a.Length}/{needA}, B {b.Length}/{needB}, C {c.Length}/{needC})");
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            OpenBlas.Sgemm(OpenBlas.RowMajor, transA ? OpenBlas.Trans : OpenBlas.NoTrans, transB ? OpenBlas.Trans : OpenBlas.NoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
