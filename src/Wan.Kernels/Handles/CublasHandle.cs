using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>
/// A cuBLAS handle, created in (and bound to) the current context, issuing work on one stream with an
/// explicit workspace: without one, older cuBLAS allocates a workspace inside every captured graph.
/// </summary>
internal sealed unsafe class CublasHandle : CudaChildHandle
{
    private CublasHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    /// <summary>
    /// Creates a handle in <paramref name="context"/> (which must be current) that runs on
    /// <paramref name="stream"/> with <paramref name="workspace"/> (device memory that outlives the handle).
    /// </summary>
    public static CublasHandle Create(CudaContextHandle context, CudaStreamHandle stream, CudaMemoryHandle workspace, long workspaceBytes)
    {
        IntPtr raw;
        Check(Cublas.cublasCreate(&raw));
        var blas = new CublasHandle(raw, context);
        try
        {
            Check(Cublas.cublasSetStream(raw, stream.DangerousGetHandle()));
            // After cublasSetStream, which resets the workspace to cuBLAS's own pool.
            Check(Cublas.cublasSetWorkspace(raw, workspace.Address, (nuint)workspaceBytes));
            Check(Cublas.cublasSetMathMode(raw, Cublas.DefaultMath));
            return blas;
        }
        catch
        {
            blas.Dispose();
            throw;
        }
    }

    protected override bool Destroy(IntPtr raw) => Cublas.cublasDestroy(raw) == CublasStatus.CUBLAS_STATUS_SUCCESS;
}
