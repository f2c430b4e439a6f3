using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>The Conv3d with kernel = stride = patch as a gather kernel and one GEMM (bias added by <see cref="Linear"/>).</summary>
    public Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch)
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
        int tokens = f / patch.T * (h / patch.H) * (w / patch.W);
        int k = c * patch.T * patch.H * patch.W;
        using var cols = Allocate(new Shape(tokens, k));
        PatchOps.Gather(Device, Element, Cuda(latent).Buffer, cols.Buffer, c, f, h, w, patch);
        using var flatWeight = Reshape(weight, new Shape(d, k));
        return Linear(cols, flatWeight, bias);
    }

    public Tensor Unpatchify(Tensor tokens, int channels, (int F, int H, int W) grid, (int T, int H, int W) patch)
    {
        int per = patch.T * patch.H * patch.W * channels;
        if (tokens.Shape != new Shape(grid.F * grid.H * grid.W, per))
        {
            throw new ArgumentException($"unpatchify: tokens {tokens.Shape} must be [{grid.F * grid.H * grid.W}, {per}]");
        }
        var y = Allocate(new Shape(channels, grid.F * patch.T, grid.H * patch.H, grid.W * patch.W));
        PatchOps.Unpatchify(Device, Element, Cuda(tokens).Buffer, y.Buffer, channels, grid, patch);
        return y;
    }
}
