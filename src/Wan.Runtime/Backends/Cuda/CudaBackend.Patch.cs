using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>The Conv3d with kernel = stride = patch as a gather kernel and one GEMM (bias added by <see cref="Linear"/>).</summary>
    public Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch)
    {
        var (c, f, h, w, d) = OpChecks.Patchify(latent, weight, bias, patch);
        int tokens = f / patch.T * (h / patch.H) * (w / patch.W);
        int k = c * patch.T * patch.H * patch.W;
        using var cols = Allocate(new Shape(tokens, k));
        PatchOps.Gather(Device, Element, Cuda(latent).Buffer, cols.Buffer, c, f, h, w, patch);
        using var flatWeight = Reshape(weight, new Shape(d, k));
        return Linear(cols, flatWeight, bias);
    }

    /// <inheritdoc/>
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
