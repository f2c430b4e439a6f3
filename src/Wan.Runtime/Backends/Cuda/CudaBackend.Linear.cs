using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>y[N, M] = x[N, K] · weight[M, K]ᵀ (one device GEMM, fp32 accumulation), then + bias[M].</summary>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        var (n, k) = Matrix(x, "linear input");
        if (weight.Shape.Rank != 2 || weight.Shape[1] != k)
        {
            throw new ArgumentException($"linear: weight {weight.Shape} does not take inputs of width {k} (x {x.Shape})");
        }
        int m = weight.Shape[0];
        if (bias is not null)
        {
            Vector(bias, m, "linear bias");
        }
        var dims = x.Shape.ToArray();
        dims[^1] = m;
        var y = Allocate(new Shape(dims));
        var gemm = new GemmDesc(
            TransA: false, TransB: true, M: n, N: m, K: k, Alpha: 1f,
            A: Cuda(x).Buffer.Address, Lda: Math.Max(1, k), StrideA: 0,
            B: Cuda(weight).Buffer.Address, Ldb: Math.Max(1, k), StrideB: 0,
            Beta: 0f,
            C: y.Buffer.Address, Ldc: Math.Max(1, m), StrideC: 0,
            BatchCount: 1, InputType: GemmStorage, OutputType: GemmStorage);
        Device.Gemm(gemm);
        if (bias is not null)
        {
            ElementwiseOps.AddRowVector(Device, Element, y.Buffer, Cuda(bias).Buffer, n, m);
        }
        return y;
    }
}
