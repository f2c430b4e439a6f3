using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>Operand checks of <see cref="IDitOps.LowRankLinear"/>, shared by the backends.</summary>
internal static class LowRankChecks
{
    /// <summary>The rank R after checking weight [M, K], down [R, K] and up [M, R].</summary>
    public static int Rank(Tensor weight, Tensor down, Tensor up, int k, int m)
    {
        if (weight.Shape.Rank != 2 || weight.Shape[1] != k)
        {
            throw new ArgumentException($"low-rank linear: weight {weight.Shape} does not take inputs of width {k}");
        }
        if (down.Shape.Rank != 2 || down.Shape[1] != k || down.Shape[0] < 1)
        {
            throw new ArgumentException($"low-rank linear: down {down.Shape} must be [rank, {k}]");
        }
        int r = down.Shape[0];
        if (up.Shape != new Shape(m, r))
        {
            throw new ArgumentException($"low-rank linear: up {up.Shape} must be [{m}, {r}] (weight {weight.Shape}, down {down.Shape})");
        }
        return r;
    }
}
