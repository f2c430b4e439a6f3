using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// Rotations for the 3D RoPE: pair j (elements 2j, 2j+1 of every head, adjacent-pair layout) of
/// token i is rotated by angle[i, j]. Cos and Sin are [L, head_dim/2] tensors on the backend.
/// </summary>
/// <remarks>
/// Reference-counted, because captured work records the tables' device addresses: the creator holds
/// the first reference, every further holder (a DiT's cache, a captured step) takes one with
/// <see cref="Hold"/>, and each holder calls <see cref="Dispose"/> exactly once; the tensors are
/// freed when the last holder lets go. Thread-safe.
/// </remarks>
public sealed class RopeTable : IDisposable
{
    private int _holders = 1;

    /// <summary>A table over the given cos and sin tensors [L, head_dim/2], which it owns from now on.</summary>
    /// <exception cref="ArgumentException">the shapes differ or are not 2-D.</exception>
    public RopeTable(Tensor cos, Tensor sin)
    {
        if (cos.Shape != sin.Shape || cos.Shape.Rank != 2)
        {
            throw new ArgumentException($"rope cos {cos.Shape} and sin {sin.Shape} must be equal [L, head_dim/2]");
        }
        Cos = cos;
        Sin = sin;
    }

    /// <summary>cos(angle) [L, head_dim/2], fp32.</summary>
    public Tensor Cos { get; }

    /// <summary>sin(angle) [L, head_dim/2], fp32.</summary>
    public Tensor Sin { get; }

    /// <summary>Tokens covered (L).</summary>
    public int Length => Cos.Shape[0];

    /// <summary>Rotated pairs per head (head_dim/2).</summary>
    public int Pairs => Cos.Shape[1];

    /// <summary>True once the last holder has released the table (its tensors are freed).</summary>
    public bool IsReleased => Volatile.Read(ref _holders) <= 0;

    /// <summary>Takes one more reference; the caller must <see cref="Dispose"/> it once.</summary>
    /// <exception cref="ObjectDisposedException">the table was already released by its last holder.</exception>
    public RopeTable Hold()
    {
        int holders;
        do
        {
            holders = Volatile.Read(ref _holders);
            ObjectDisposedException.ThrowIf(holders <= 0, this);
        }
        while (Interlocked.CompareExchange(ref _holders, holders + 1, holders) != holders);
        return this;
    }

    /// <summary>
    /// Wan's 3D split: the head_dim/2 pairs are divided [c − 2⌊c/3⌋, ⌊c/3⌋, ⌊c/3⌋] among (frame,
    /// height, width); in a section of n pairs, pair j turns by pos · 10000^(−j/n). Float64 math.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="headDim"/> is odd.</exception>
    public static RopeTable Wan3D(IBackend backend, int headDim, (int F, int H, int W) grid) =>
        Wan3D(backend, headDim, [.. Enumerable.Range(0, grid.F)], grid.H, grid.W);

    /// <summary>
    /// The same rotations for frames at the given frame positions (tokens frame-major, H·W per frame):
    /// a K/V cache's keys sit at their frames' positions in the video (Self-Forcing's causal_rope_apply
    /// with start_frame), not at 0..F−1.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="headDim"/> is odd.</exception>
    public static RopeTable Wan3D(IBackend backend, int headDim, int[] framePositions, int height, int width)
    {
        if (headDim % 2 != 0)
        {
            throw new ArgumentException($"head_dim {headDim} must be even for RoPE");
        }
        int c = headDim / 2;
        int[] sections = [c - 2 * (c / 3), c / 3, c / 3];
        var grid = (F: framePositions.Length, H: height, W: width);
        int length = checked(grid.F * grid.H * grid.W);
        var cos = new float[checked(length * c)];
        var sin = new float[length * c];
        for (int f = 0; f < grid.F; f++)
        {
            for (int h = 0; h < grid.H; h++)
            {
                for (int w = 0; w < grid.W; w++)
                {
                    int token = (f * grid.H + h) * grid.W + w;
                    int[] pos = [framePositions[f], h, w];
                    int pair = 0;
                    for (int s = 0; s < 3; s++)
                    {
                        for (int j = 0; j < sections[s]; j++, pair++)
                        {
                            double angle = pos[s] * Math.Pow(10000.0, -(double)j / sections[s]);
                            cos[token * c + pair] = (float)Math.Cos(angle);
                            sin[token * c + pair] = (float)Math.Sin(angle);
                        }
                    }
                }
            }
        }
        var shape = new Shape(length, c);
        return new RopeTable(backend.FromHostF32(cos, shape), backend.FromHostF32(sin, shape));
    }

    /// <summary>Releases one reference; the last one frees the tensors.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            Cos.Dispose();
            Sin.Dispose();
        }
    }
}
