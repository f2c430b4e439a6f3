using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor TimestepSinusoid(double t, int dim) => FromHost(HostMath.TimestepSinusoid(t, dim), new Shape(1, dim));

    /// <inheritdoc/>
    public Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch)
    {
        var (c, f, h, w, d) = OpChecks.Patchify(latent, weight, bias, patch);
        int gf = f / patch.T, gh = h / patch.H, gw = w / patch.W, tokens = gf * gh * gw;
        int k = c * patch.T * patch.H * patch.W;
        // Gather each token's patch in weight order (c, kt, kh, kw), then one GEMM with the flattened weight.
        var src = Cpu(latent).Data;
        var cols = new float[(long)tokens * k];
        for (int tf = 0; tf < gf; tf++)
        {
            for (int th = 0; th < gh; th++)
            {
                for (int tw = 0; tw < gw; tw++)
                {
                    int token = (tf * gh + th) * gw + tw;
                    int i = token * k;
                    for (int ch = 0; ch < c; ch++)
                    {
                        for (int kt = 0; kt < patch.T; kt++)
                        {
                            for (int kh = 0; kh < patch.H; kh++)
                            {
                                for (int kw = 0; kw < patch.W; kw++)
                                {
                                    cols[i++] = src[((ch * f + tf * patch.T + kt) * h + th * patch.H + kh) * w + tw * patch.W + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
        using var colTensor = new CpuTensor(this, new Shape(tokens, k), cols);
        using var flatWeight = Reshape(weight, new Shape(d, k));
        return Linear(colTensor, flatWeight, bias);
    }

    /// <inheritdoc/>
    public Tensor Unpatchify(Tensor tokens, int channels, (int F, int H, int W) grid, (int T, int H, int W) patch)
    {
        int per = patch.T * patch.H * patch.W * channels;
        if (tokens.Shape != new Shape(grid.F * grid.H * grid.W, per))
        {
            throw new ArgumentException($"unpatchify: tokens {tokens.Shape} must be [{grid.F * grid.H * grid.W}, {per}]");
        }
        int f = grid.F * patch.T, h = grid.H * patch.H, w = grid.W * patch.W;
        var src = Cpu(tokens).Data;
        var dst = new float[(long)channels * f * h * w];
        for (int tf = 0; tf < grid.F; tf++)
        {
            for (int th = 0; th < grid.H; th++)
            {
                for (int tw = 0; tw < grid.W; tw++)
                {
                    int i = ((tf * grid.H + th) * grid.W + tw) * per;
                    for (int kt = 0; kt < patch.T; kt++)
                    {
                        for (int kh = 0; kh < patch.H; kh++)
                        {
                            for (int kw = 0; kw < patch.W; kw++)
                            {
                                for (int ch = 0; ch < channels; ch++)
                                {
                                    dst[((ch * f + tf * patch.T + kt) * h + th * patch.H + kh) * w + tw * patch.W + kw] = src[i++];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new CpuTensor(this, new Shape(channels, f, h, w), dst);
    }
}
