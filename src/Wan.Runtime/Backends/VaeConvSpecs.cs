namespace Wan.Runtime.Backends;

/// <summary>
/// Geometry of <see cref="IVaeOps.Conv3d"/>: strides and zero padding. Time is padded only in
/// front (<see cref="PadFront"/> zero frames before the first input frame: causal convolution).
/// </summary>
public readonly record struct Conv3dSpec(
    int StrideT, int StrideH, int StrideW,
    int PadFront, int PadTop, int PadBottom, int PadLeft, int PadRight)
{
    /// <summary>Stride 1 with symmetric spatial padding (kernel − 1)/2 and <paramref name="padFront"/> zero frames.</summary>
    public static Conv3dSpec Causal(int padFront, int kh, int kw) =>
        new(1, 1, 1, padFront, (kh - 1) / 2, (kh - 1) / 2, (kw - 1) / 2, (kw - 1) / 2);
}

/// <summary>Geometry of <see cref="IVaeOps.Conv2dFrames"/>: stride and zero padding per side.</summary>
public readonly record struct Conv2dSpec(int StrideH, int StrideW, int PadTop, int PadBottom, int PadLeft, int PadRight)
{
    /// <summary>Stride 1, symmetric padding <paramref name="pad"/> (PyTorch Conv2d(padding=pad)).</summary>
    public static Conv2dSpec Same(int pad) => new(1, 1, pad, pad, pad, pad);

    /// <summary>ZeroPad2d(0, 1, 0, 1) then stride 2 (the VAE's spatial downsampler).</summary>
    public static Conv2dSpec DownsampleRightBottom => new(2, 2, 0, 1, 0, 1);

    /// <summary>The same geometry as a <see cref="Conv3dSpec"/> for a one-frame kernel (stride 1 in time, no time padding).</summary>
    public Conv3dSpec AsConv3d() => new(1, StrideH, StrideW, 0, PadTop, PadBottom, PadLeft, PadRight);
}
