using CommunityToolkit.HighPerformance.Buffers;
using Wan.Kernels;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Most floats an im2col tile may hold (32 MiB): large frames are convolved in row bands.</summary>
    internal const int ConvColumnBudget = 1 << 23;

    /// <inheritdoc/>
    public Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias, Conv3dSpec spec) =>
        Convolve(x, weight, bias, VaeChecks.Conv3dKernel(x, weight), spec, "conv3d");

    /// <inheritdoc/>
    public Tensor Conv2dFrames(Tensor x, Tensor weight, Tensor? bias, Conv2dSpec spec) =>
        Convolve(x, weight, bias, VaeChecks.Conv2dKernel(x, weight), spec.AsConv3d(), "conv2d");

    /// <summary>
    /// im2col + GEMM: for every band of output rows of one output frame, the receptive fields are
    /// gathered into columns [Cin·kt·kh·kw, band pixels] and multiplied by the weight [Cout, K]
    /// straight into the output (ldc = output plane). A 1×1×1 stride-1 conv is a single GEMM.
    /// </summary>
    private CpuTensor Convolve(Tensor x, Tensor weight, Tensor? bias, (int T, int H, int W) kernel, Conv3dSpec s, string op)
    {
        int cin = x.Shape[0], f = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int cout = weight.Shape[0];
        if (weight.Shape[1] != cin)
        {
            throw new ArgumentException($"{op}: weight {weight.Shape} expects {weight.Shape[1]} input channels, input {x.Shape} has {cin}");
        }
        if (s.StrideT < 1 || s.StrideH < 1 || s.StrideW < 1 || s.PadFront < 0 || s.PadTop < 0 || s.PadBottom < 0 || s.PadLeft < 0 || s.PadRight < 0)
        {
            throw new ArgumentException($"{op}: invalid geometry {s}");
        }
        int fo = OutputExtent(s.PadFront + f, kernel.T, s.StrideT);
        int ho = OutputExtent(s.PadTop + h + s.PadBottom, kernel.H, s.StrideH);
        int wo = OutputExtent(s.PadLeft + w + s.PadRight, kernel.W, s.StrideW);
        if (fo < 1 || ho < 1 || wo < 1)
        {
            throw new ArgumentException($"{op}: input {x.Shape} with {s} is smaller than the kernel {kernel}");
        }
        int plane = fo * ho * wo;
        var y = new float[(long)cout * plane];
        float beta = 0f;
        if (bias is not null)
        {
            Vector(bias, cout, $"{op} bias");
            var b = Cpu(bias).Data;
            for (int co = 0; co < cout; co++)
            {
                y.AsSpan(co * plane, plane).Fill(b[co]);
            }
            beta = 1f;
        }
        var src = Cpu(x).Data;
        var wts = Cpu(weight).Data;
        int k = cin * kernel.T * kernel.H * kernel.W;
        if (kernel == (1, 1, 1) && s == new Conv3dSpec(1, 1, 1, 0, 0, 0, 0, 0))
        {
            Blas.Sgemm(false, false, cout, plane, k, 1f, wts, k, src, plane, beta, y, plane);
            return new CpuTensor(this, new Shape(cout, fo, ho, wo), y);
        }
        int bandRows = Math.Clamp(ConvColumnBudget / Math.Max(1, k * wo), 1, ho);
        // Pooled and not cleared: GatherColumn writes every element of the tile it fills, and a
        // fresh array would be a zeroed large-object allocation (up to 32 MiB) per call.
        using var cols = MemoryOwner<float>.Allocate(checked(k * bandRows * wo), AllocationMode.Default);
        var geometry = new ConvGeometry(cin, f, h, w, kernel, s, wo);
        for (int t = 0; t < fo; t++)
        {
            for (int r0 = 0; r0 < ho; r0 += bandRows)
            {
                int rows = Math.Min(bandRows, ho - r0), n = rows * wo;
                ForRows(k, n, kk => GatherColumn(src, geometry, kk, t, r0, rows, cols.Span.Slice(kk * n, n)));
                Blas.Sgemm(false, false, cout, n, k, 1f, wts, k, cols.Span, n, beta, y.AsSpan(t * ho * wo + r0 * wo), plane);
            }
        }
        return new CpuTensor(this, new Shape(cout, fo, ho, wo), y);
    }

    private static int OutputExtent(int padded, int kernel, int stride) => padded < kernel ? 0 : (padded - kernel) / stride + 1;

    private readonly record struct ConvGeometry(int Cin, int F, int H, int W, (int T, int H, int W) Kernel, Conv3dSpec Spec, int OutW);

    /// <summary>Row kk = (ci, dt, dh, dw) of the im2col matrix for output frame t, output rows [r0, r0 + rows).</summary>
    private static void GatherColumn(float[] src, ConvGeometry g, int kk, int t, int r0, int rows, Span<float> dst)
    {
        int dw = kk % g.Kernel.W;
        int dh = kk / g.Kernel.W % g.Kernel.H;
        int dt = kk / (g.Kernel.W * g.Kernel.H) % g.Kernel.T;
        int ci = kk / (g.Kernel.W * g.Kernel.H * g.Kernel.T);
        var s = g.Spec;
        int fi = t * s.StrideT + dt - s.PadFront;
        if (fi < 0 || fi >= g.F)
        {
            dst.Clear();
            return;
        }
        // Output columns whose input column lies inside the frame: [cLo, cHi).
        int offset = dw - s.PadLeft;
        int cLo = offset >= 0 ? 0 : (-offset + s.StrideW - 1) / s.StrideW;
        int cHi = Math.Min(g.OutW, OutputExtent(g.W - offset, 1, s.StrideW));
        for (int r = 0; r < rows; r++)
        {
            var row = dst.Slice(r * g.OutW, g.OutW);
            int hi = (r0 + r) * s.StrideH + dh - s.PadTop;
            if (hi < 0 || hi >= g.H || cLo >= cHi)
            {
                row.Clear();
                continue;
            }
            int baseIndex = ((ci * g.F + fi) * g.H + hi) * g.W + offset;
            row[..cLo].Clear();
            if (s.StrideW == 1)
            {
                src.AsSpan(baseIndex + cLo, cHi - cLo).CopyTo(row[cLo..cHi]);
            }
            else
            {
                for (int c = cLo; c < cHi; c++)
                {
                    row[c] = src[baseIndex + c * s.StrideW];
                }
            }
            row[cHi..].Clear();
        }
    }
}
