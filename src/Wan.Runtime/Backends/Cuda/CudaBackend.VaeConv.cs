using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend : IConvWorkspace
{
    /// <summary>Default of <see cref="ConvColumnBytes"/>: 256 MiB.</summary>
    public const long DefaultConvColumnBytes = 256L << 20;

    /// <summary>
    /// Most bytes the im2col buffer of one convolution may take (default 256 MiB): a convolution whose
    /// column matrix [Cin·kt·kh·kw, Fo·Ho·Wo] is larger runs in bands of whole output rows, one
    /// im2col launch and one GEMM per band (at least one output row per band, so a single row wider
    /// than the budget still runs). The decision and its numbers: docs/engine.md, "The VAE on CUDA".
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">set to a value below 1.</exception>
    public long ConvColumnBytes
    {
        get => _convColumnBytes;
        set => _convColumnBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the im2col budget must be at least one byte");
    }

    private long _convColumnBytes = DefaultConvColumnBytes;
    private SharedConvColumns? _sharedColumns;

    /// <summary>
    /// Until the returned scope is disposed, the convolutions take their im2col column matrix from one device buffer,
    /// allocated at the first convolution that needs one, reallocated larger when a later one needs more (at most
    /// max(<see cref="ConvColumnBytes"/>, one output row)), and kept between convolutions unless keeping it would raise
    /// the device's peak (<see cref="SharedConvColumns"/>); disposing the scope frees it. Outside a scope each convolution
    /// allocates and frees its own. On a device that does not count its live memory (no <see cref="IDeviceMemoryAccounting"/>)
    /// the scope shares nothing, since it could not keep the peak. The same GEMMs read the same values: the results are
    /// bit-identical either way.
    /// </summary>
    /// <exception cref="InvalidOperationException">a scope of this backend is already open.</exception>
    public IDisposable ShareConvColumns()
    {
        if (_sharedColumns is not null)
        {
            throw new InvalidOperationException($"{Name}: the conv column buffer is already shared by an open scope (one at a time)");
        }
        if (Device is not IDeviceMemoryAccounting live)
        {
            return new SharedConvColumns.None();
        }
        return _sharedColumns = new SharedConvColumns(Device, live, () => _sharedColumns = null);
    }

    /// <summary>
    /// Conv3d of x [Cin, F, H, W] with weight [Cout, Cin, kt, kh, kw] and bias [Cout] → [Cout, Fo, Ho, Wo]
    /// (original <c>CausalConv3d</c>, wan/modules/vae2_1.py; the causal history is the caller's):
    /// the bias broadcast into the output, then per band of output rows an im2col (kernels/cuda/vae_conv.cu)
    /// and one GEMM weight [Cout, K] · cols [K, band] added onto it (fp32 accumulation, one rounding to the
    /// storage type). A 1×1×1 stride-1 conv is one GEMM on the input itself.
    /// </summary>
    /// <exception cref="ArgumentException">shapes or geometry do not fit together.</exception>
    public Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias, Conv3dSpec spec) =>
        Convolve(x, weight, bias, VaeChecks.Conv3dKernel(x, weight), spec, "conv3d");

    /// <summary>
    /// The same Conv2d on every frame of x [Cin, F, H, W]: weight [Cout, Cin, kh, kw], bias [Cout] →
    /// [Cout, F, Ho, Wo]; computed as <see cref="Conv3d"/> with a one-frame kernel.
    /// </summary>
    /// <exception cref="ArgumentException">shapes or geometry do not fit together.</exception>
    public Tensor Conv2dFrames(Tensor x, Tensor weight, Tensor? bias, Conv2dSpec spec) =>
        Convolve(x, weight, bias, VaeChecks.Conv2dKernel(x, weight), spec.AsConv3d(), "conv2d");

    private CudaTensor Convolve(Tensor x, Tensor weight, Tensor? bias, (int T, int H, int W) kernel, Conv3dSpec s, string op)
    {
        var e = VaeChecks.Conv(x, weight, bias, kernel, s, op);
        var input = Cuda(x);
        var w = Cuda(weight);
        var y = Allocate(new Shape(e.Cout, e.OutF, e.OutH, e.OutW));
        try
        {
            float beta = 0f;
            if (bias is not null)
            {
                VaeConvOps.ChannelBroadcast(Device, Element, Cuda(bias).Buffer, y.Buffer, e.Cout, e.OutPlane);
                beta = 1f;
            }
            int size = Storage.SizeOf();
            if (kernel == (1, 1, 1) && s == new Conv3dSpec(1, 1, 1, 0, 0, 0, 0, 0))
            {
                Device.Gemm(ConvGemm(w.Buffer.Address, e.Cin, input.Buffer.Address, e.OutPlane, beta, y.Buffer.Address, e));
                return y;
            }
            var g = new Im2ColGeometry(e.Cin, e.F, e.H, e.W, kernel.T, kernel.H, kernel.W, s.StrideT, s.StrideH, s.StrideW,
                s.PadFront, s.PadTop, s.PadLeft, e.OutH, e.OutW);
            int outRows = checked(e.OutF * e.OutH);
            int bandRows = ConvBandRows(g.ColumnRows, e.OutW, outRows);
            int k = checked((int)g.ColumnRows);
            long columnBytes = checked(g.ColumnRows * bandRows * e.OutW * size);
            using var ownColumns = _sharedColumns is null ? Device.Allocate(columnBytes) : null;
            var cols = ownColumns ?? _sharedColumns!.Rent(columnBytes);
            for (int row0 = 0; row0 < outRows; row0 += bandRows)
            {
                int rows = Math.Min(bandRows, outRows - row0), n = rows * e.OutW;
                VaeConvOps.Im2Col(Device, Element, input.Buffer, cols, g, row0, rows);
                ulong c = y.Buffer.Address + (ulong)((long)row0 * e.OutW * size);
                Device.Gemm(ConvGemm(w.Buffer.Address, k, cols.Address, n, beta, c, e));
            }
            return y;
        }
        catch
        {
            y.Dispose();
            throw;
        }
    }

    /// <summary>Output rows per im2col band: as many as <see cref="ConvColumnBytes"/> holds, at least one, at most all.</summary>
    private int ConvBandRows(long columnRows, int outW, int outRows)
    {
        long perRow = checked(columnRows * outW * Storage.SizeOf());
        return (int)Math.Clamp(ConvColumnBytes / perRow, 1, outRows);
    }

    /// <summary>C[Cout, n] (row stride = the output plane) = weight [Cout, k] · B [k, n] + beta · C.</summary>
    private GemmDesc ConvGemm(ulong weight, int k, ulong b, int n, float beta, ulong c, ConvExtent e) => new(
        TransA: false, TransB: false, M: e.Cout, N: n, K: k, Alpha: 1f,
        A: weight, Lda: k, StrideA: 0,
        B: b, Ldb: n, StrideB: 0,
        Beta: beta,
        C: c, Ldc: e.OutPlane, StrideC: 0,
        BatchCount: 1, InputType: GemmStorage, OutputType: GemmStorage);
}
