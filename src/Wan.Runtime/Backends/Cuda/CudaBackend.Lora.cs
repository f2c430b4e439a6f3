using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Three device GEMMs with fp32 accumulation: y = x·Wᵀ, t = x·downᵀ [N, R], y += t·upᵀ (β = 1),
    /// then the bias; no new kernel. The two skinny GEMMs cost 2·N·R·(K + M) FLOPs next to the base 2·N·K·M.
    /// </summary>
    public Tensor LowRankLinear(Tensor x, Tensor weight, Tensor? bias, Tensor down, Tensor up)
    {
        var (n, k) = Matrix(x, "low-rank linear input");
        int m = weight.Shape.Rank == 2 ? weight.Shape[0] : -1;
        int r = LowRankChecks.Rank(weight, down, up, k, m);
        if (bias is not null)
        {
            Vector(bias, m, "low-rank linear bias");
        }
        var dims = x.Shape.ToArray();
        dims[^1] = m;
        var y = Allocate(new Shape(dims));
        using var t = Allocate(new Shape(n, r));
        var xa = Cuda(x).Buffer.Address;
        Device.Gemm(Gemm(n, m, k, xa, Cuda(weight).Buffer.Address, 0f, y.Buffer.Address));
        Device.Gemm(Gemm(n, r, k, xa, Cuda(down).Buffer.Address, 0f, t.Buffer.Address));
        Device.Gemm(Gemm(n, m, r, t.Buffer.Address, Cuda(up).Buffer.Address, 1f, y.Buffer.Address));
        if (bias is not null)
        {
            ElementwiseOps.AddRowVector(Device, Element, y.Buffer, Cuda(bias).Buffer, n, m);
        }
        return y;
    }

    /// <summary>C[rows, cols] = A[rows, inner] · B[cols, inner]ᵀ + beta · C, row-major, in the storage type.</summary>
    private GemmDesc Gemm(int rows, int cols, int inner, ulong a, ulong b, float beta, ulong c) => new(
        TransA: false, TransB: true, M: rows, N: cols, K: inner, Alpha: 1f,
        A: a, Lda: Math.Max(1, inner), StrideA: 0,
        B: b, Ldb: Math.Max(1, inner), StrideB: 0,
        Beta: beta,
        C: c, Ldc: Math.Max(1, cols), StrideC: 0,
        BatchCount: 1, InputType: GemmStorage, OutputType: GemmStorage);
}
