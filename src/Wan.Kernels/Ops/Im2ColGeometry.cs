namespace Wan.Kernels.Ops;

/// <summary>
/// The geometry <see cref="VaeConvOps.Im2Col"/> gathers for: input x [Cin, F, H, W], kernel
/// [Kt, Kh, Kw], strides, the front/top/left zero padding (bottom/right padding is implied by the
/// output size) and the output frame size [Ho, Wo].
/// </summary>
public readonly record struct Im2ColGeometry(
    int Cin, int F, int H, int W,
    int Kt, int Kh, int Kw,
    int StrideT, int StrideH, int StrideW,
    int PadFront, int PadTop, int PadLeft,
    int OutH, int OutW)
{
    /// <summary>Rows of the column matrix: Cin·Kt·Kh·Kw (the GEMM's K).</summary>
    public long ColumnRows => (long)Cin * Kt * Kh * Kw;

    /// <summary>Elements of the input x.</summary>
    public long InputElements => (long)Cin * F * H * W;
}
