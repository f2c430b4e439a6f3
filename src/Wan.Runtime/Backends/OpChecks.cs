using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>The shape checks every backend's typed ops share; each throws naming the op and the shapes.</summary>
internal static class OpChecks
{
    /// <summary>Views a tensor as [rows, last dim].</summary>
    public static (int Rows, int Cols) Matrix(Tensor t, string what)
    {
        if (t.Shape.Rank < 1)
        {
            throw new ArgumentException($"{what}: expected at least 1 dimension, got {t.Shape}");
        }
        int cols = t.Shape[-1];
        return (cols == 0 ? 0 : checked((int)(t.ElementCount / cols)), cols);
    }

    public static void SameShape(Tensor a, Tensor b, string op)
    {
        if (a.Shape != b.Shape)
        {
            throw new ArgumentException($"{op}: shapes {a.Shape} and {b.Shape} differ");
        }
    }

    public static void Vector(Tensor v, int length, string what)
    {
        if (v.ElementCount != length)
        {
            throw new ArgumentException($"{what}: expected {length} elements, got {v.Shape}");
        }
    }

    /// <summary>q [Lq, H·dh], k and v [Lk, H·dh], 1 ≤ valid keys ≤ Lk.</summary>
    public static (int QueryRows, int KeyRows, int Dim, int HeadDim) Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec)
    {
        var (lq, dim) = Matrix(q, "attention q");
        var (lk, kdim) = Matrix(k, "attention k");
        SameShape(k, v, "attention k/v");
        if (kdim != dim || spec.Heads <= 0 || dim % spec.Heads != 0)
        {
            throw new ArgumentException($"attention: q {q.Shape}, k {k.Shape} with {spec.Heads} heads");
        }
        if (spec.ValidKeys < 1 || spec.ValidKeys > lk)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), $"attention: {spec.ValidKeys} valid keys of {lk}");
        }
        return (lq, lk, dim, dim / spec.Heads);
    }

    /// <summary>latent [C, F, H, W] divisible by the patch, weight [D, C, pt, ph, pw], bias [D].</summary>
    public static (int C, int F, int H, int W, int D) Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch)
    {
        if (latent.Shape.Rank != 4 || weight.Shape.Rank != 5)
        {
            throw new ArgumentException($"patchify: latent {latent.Shape} must be [C,F,H,W] and weight {weight.Shape} [D,C,pt,ph,pw]");
        }
        int c = latent.Shape[0], f = latent.Shape[1], h = latent.Shape[2], w = latent.Shape[3];
        int d = weight.Shape[0];
        if (weight.Shape != new Shape(d, c, patch.T, patch.H, patch.W))
        {
            throw new ArgumentException($"patchify: weight {weight.Shape} does not match {c} channels and patch {patch}");
        }
        if (f % patch.T != 0 || h % patch.H != 0 || w % patch.W != 0)
        {
            throw new ArgumentException($"patchify: latent {latent.Shape} is not divisible by patch {patch}");
        }
        Vector(bias, d, "patch bias");
        return (c, f, h, w, d);
    }
}
