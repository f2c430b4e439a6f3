using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Handles;

/// <summary>A cuBLAS handle, created in (and bound to) the current context, issuing work on one stream.</summary>
internal sealed unsafe class CublasHandle : CudaChildHandle
{
    private CublasHandle(IntPtr raw, CudaContextHandle context) : base(raw, context)
    {
    }

    /// <summary>Creates a handle in <paramref name="context"/> (which must be current) that runs on <paramref name="stream"/>.</summary>
    public static CublasHandle Create(CudaContextHandle context, CudaStreamHandle stream)
    {
        IntPtr raw;
        Check(Cublas.cublasCreate(&raw));
        var blas = new CublasHandle(raw, context);
        try
        {
            Check(Cublas.cublasSetStream(raw, stream.DangerousGetHandle()));
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
