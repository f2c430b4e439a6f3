using Wan.Kernels;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        var (n, k) = Matrix(x, "linear input");
        if (weight.Shape.Rank != 2 || weight.Shape[1] != k)
        {
            throw new ArgumentException($"linear: weight {weight.Shape} does not take inputs of width {k} (x {x.Shape})");
        }
        int m = weight.Shape[0];
        var dims = x.Shape.ToArray();
        dims[^1] = m;
        var y = new float[(long)n * m];
        Blas.Sgemm(false, true, n, m, k, 1f, Cpu(x).Data, k, Cpu(weight).Data, k, 0f, y, m);
        if (bias is not null)
        {
            Vector(bias, m, "linear bias");
            var b = Cpu(bias).Data;
            ForRows(n, m, r => System.Numerics.Tensors.TensorPrimitives.Add(y.AsSpan(r * m, m), b, y.AsSpan(r * m, m)));
        }
        return new CpuTensor(this, new Shape(dims), y);
    }
}
