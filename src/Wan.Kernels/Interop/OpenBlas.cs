using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>Raw CBLAS entry points of OpenBLAS (libopenblas0). Row-major callers pass CblasRowMajor.</summary>
internal static unsafe partial class OpenBlas
{
    public const int RowMajor = 101;
    public const int NoTrans = 111;
    public const int Trans = 112;

    static OpenBlas() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.OpenBlas, EntryPoint = "cblas_sgemm")]
    public static partial void Sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(NativeLibraries.OpenBlas, EntryPoint = "openblas_set_num_threads")]
    public static partial void SetNumThreads(int n);

    [LibraryImport(NativeLibraries.OpenBlas, EntryPoint = "openblas_get_num_threads")]
    public static partial int GetNumThreads();
}
