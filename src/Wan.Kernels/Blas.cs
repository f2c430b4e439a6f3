using Wan.Kernels.Interop;

namespace Wan.Kernels;

/// <summary>Safe row-major single-precision GEMM over OpenBLAS: C = alpha * op(A) * op(B) + beta * C.</summary>
public static unsafe class Blas
{
    /// <summary>
    /// cblas_sgemm in row-major order: <paramref name="c"/>[m, n] = <paramref name="alpha"/> * op(A)[m, k] * op(B)[k, n]
    /// + <paramref name="beta"/> * <paramref name="c"/>, where op(X) is X or its transpose. Each matrix is a row-major
    /// block with its own leading dimension (elements between the starts of consecutive rows, as stored): A is stored
    /// [m, lda] (or [k, lda] when transposed), B [k, ldb] (or [n, ldb]), C [m, ldc]. Multithreaded by OpenBLAS.
    /// Nothing is done when m or n is 0; with k = 0, C is only scaled by beta.
    /// </summary>
    /// <param name="transA">Use Aᵀ: A is stored [k, m].</param>
    /// <param name="transB">Use Bᵀ: B is stored [n, k] (the layout of a linear layer's weight [out, in]).</param>
    /// <param name="m">Rows of op(A) and of C.</param>
    /// <param name="n">Columns of op(B) and of C.</param>
    /// <param name="k">Columns of op(A) = rows of op(B), the summed dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A, row-major.</param>
    /// <param name="lda">Row stride of A in elements.</param>
    /// <param name="b">Matrix B, row-major.</param>
    /// <param name="ldb">Row stride of B in elements.</param>
    /// <param name="beta">Scale of the existing C (0 overwrites it; C is then not read).</param>
    /// <param name="c">Matrix C, row-major; read when beta is not 0, always written.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <exception cref="ArgumentException">A span is shorter than its matrix needs; the message names the sizes.</exception>
    /// <exception cref="DllNotFoundException">libopenblas cannot be loaded.</exception>
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
