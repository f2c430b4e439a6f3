using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>
/// Raw entry points of cuBLAS v2 (libcublas.so.13, .12 or .11). cuBLAS is column-major; the row-major
/// mapping lives in CudaDevice.Gemm. Alpha/beta are host pointers (the default pointer mode).
/// </summary>
internal static unsafe partial class Cublas
{
    public const int OpN = 0;
    public const int OpT = 1;
    public const int DataTypeR32F = 0;
    public const int DataTypeR16F = 2;
    public const int DataTypeR16BF = 14;
    public const int ComputeType32F = 68;
    public const int GemmAlgoDefault = -1;
    /// <summary>CUBLAS_DEFAULT_MATH: fp32 GEMMs stay true fp32 (no TF32).</summary>
    public const int DefaultMath = 0;

    static Cublas() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasCreate_v2")]
    public static partial CublasStatus cublasCreate(IntPtr* handle);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasDestroy_v2")]
    public static partial CublasStatus cublasDestroy(IntPtr handle);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasSetStream_v2")]
    public static partial CublasStatus cublasSetStream(IntPtr handle, IntPtr stream);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasSetWorkspace_v2")]
    public static partial CublasStatus cublasSetWorkspace(IntPtr handle, ulong workspace, nuint bytes);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasSetMathMode")]
    public static partial CublasStatus cublasSetMathMode(IntPtr handle, int mode);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasGemmEx")]
    public static partial CublasStatus cublasGemmEx(IntPtr handle, int transA, int transB, int m, int n, int k,
        float* alpha, ulong a, int aType, int lda, ulong b, int bType, int ldb,
        float* beta, ulong c, int cType, int ldc, int computeType, int algo);

    [LibraryImport(NativeLibraries.Cublas, EntryPoint = "cublasGemmStridedBatchedEx")]
    public static partial CublasStatus cublasGemmStridedBatchedEx(IntPtr handle, int transA, int transB, int m, int n, int k,
        float* alpha, ulong a, int aType, int lda, long strideA, ulong b, int bType, int ldb, long strideB,
        float* beta, ulong c, int cType, int ldc, long strideC, int batchCount, int computeType, int algo);
}
