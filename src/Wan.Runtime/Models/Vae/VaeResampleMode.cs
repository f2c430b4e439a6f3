namespace Wan.Runtime.Models.Vae;

/// <summary>What a VAE stage transition does to space (always ×2 or ÷2) and time.</summary>
internal enum VaeResampleMode
{
    /// <summary>Nearest ×2 per frame, Conv2d 3×3 to C/2.</summary>
    Upsample2d,

    /// <summary>Frame doubling by a causal time conv C → 2C (not on the first frame), then as <see cref="Upsample2d"/>.</summary>
    Upsample3d,

    /// <summary>ZeroPad2d(0,1,0,1) and Conv2d 3×3 stride 2 per frame.</summary>
    Downsample2d,

    /// <summary>As <see cref="Downsample2d"/>, then a time conv k=3 stride 2 over the previous frame and this chunk (not on the first frame).</summary>
    Downsample3d,
}
