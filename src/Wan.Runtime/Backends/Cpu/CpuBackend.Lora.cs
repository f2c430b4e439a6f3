using Wan.Kernels;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>
    /// The base linear (mapped weights streamed as in <see cref="Linear(Tensor, Tensor, Tensor?)"/>), then t = x·downᵀ [N, R]
    /// and y += t·upᵀ with two OpenBLAS sgemm calls, fp32 throughout.
    /// </summary>
    public Tensor LowRankLinear(Tensor x, Tensor weight, Tensor? bias, Tensor down, Tensor up)
    {
        var (n, k) = Matrix(x, "low-rank linear input");
        int m = weight.Shape.Rank == 2 ? weight.Shape[0] : -1;
        int r = LowRankChecks.Rank(weight, down, up, k, m);
        var y = Linear(x, weight, bias);
        var t = new float[checked((long)n * r)];
        var xs = Cpu(x).Data;
        Blas.Sgemm(false, true, n, r, k, 1f, xs, k, Cpu(down).Data, k, 0f, t, r);
        Blas.Sgemm(false, true, n, m, r, 1f, t, r, Cpu(up).Data, r, 1f, Cpu(y).Data, m);
        return y;
    }
}
