using CommunityToolkit.HighPerformance.Buffers;
using Wan.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>
    /// Floats of scores per (head, query block) item, [rows, Lk], never [Lq, Lk]: 256 Ki floats
    /// (1 MiB) stay in a core's L2 while the item's two GEMMs get as many rows as fit (768 keys,
    /// Wan 256×256×9 frames: 3 blocks of 256 rows per head instead of 12 of 64).
    /// </summary>
    private const int AttentionScoresFloats = 1 << 18;

    /// <summary>Fewest query rows per block, however many keys: shorter GEMMs would waste the cores.</summary>
    private const int AttentionMinQueryBlock = 64;

    /// <inheritdoc/>
    /// <summary>Any positive head width: the reference loops over it.</summary>
    public bool SupportsAttention(int headDim) => headDim > 0;

    /// <inheritdoc/>
    public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec)
    {
        var (lq, lk, dim, dh) = OpChecks.Attention(q, k, v, spec);
        int heads = spec.Heads, keys = spec.ValidKeys;

        var qs = Cpu(q).Data;
        var ks = Cpu(k).Data;
        if (spec.QNorm is not null)
        {
            qs = Cpu(RmsNorm(q, spec.QNorm, spec.NormEps)).Data;
        }
        if (spec.KNorm is not null)
        {
            ks = Cpu(RmsNorm(k, spec.KNorm, spec.NormEps)).Data;
        }
        if (spec.Rope is { } rope)
        {
            var keyRope = spec.KeyRope ?? rope;
            if (rope.Length < (spec.KeyRope is null ? Math.Max(lq, lk) : lq) || rope.Pairs * 2 != dh || keyRope.Length < lk || keyRope.Pairs * 2 != dh)
            {
                throw new ArgumentException($"attention: rope tables [{rope.Length}, {rope.Pairs}] and [{keyRope.Length}, {keyRope.Pairs}] do not cover {lq} queries and {lk} keys of head_dim {dh}");
            }
            qs = ApplyRope(qs, ReferenceEquals(qs, Cpu(q).Data), lq, dim, dh, rope);
            ks = ApplyRope(ks, ReferenceEquals(ks, Cpu(k).Data), lk, dim, dh, keyRope);
        }
        float[]? bias = null;
        if (spec.Bias is not null)
        {
            if (spec.Bias.Shape != new Shape(heads, lq, lk))
            {
                throw new ArgumentException($"attention bias {spec.Bias.Shape} must be [{heads}, {lq}, {lk}]");
            }
            bias = Cpu(spec.Bias).Data;
        }

        var vs = Cpu(v).Data;
        var output = new float[(long)lq * dim];
        if (spec.FrameWindow is { } window && window.Frames(lq, lk, keys) is var frames && !window.CoversAll(frames))
        {
            return WindowedAttention(qs, ks, vs, bias, output, lq, dim, dh, spec, window, frames);
        }
        int maxRows = Math.Min(lq, Math.Max(AttentionMinQueryBlock, AttentionScoresFloats / keys));
        int blocks = (lq + maxRows - 1) / maxRows;
        int blockRows = (lq + blocks - 1) / blocks;
        void Block(int item, Span<float> scores)
        {
            int h = item / blocks, q0 = item % blocks * blockRows;
            int rows = Math.Min(blockRows, lq - q0);
            Blas.Sgemm(false, true, rows, keys, dh, spec.Scale,
                qs.AsSpan(q0 * dim + h * dh), dim, ks.AsSpan(h * dh), dim, 0f, scores, keys);
            for (int r = 0; r < rows; r++)
            {
                var row = scores.Slice(r * keys, keys);
                if (bias is not null)
                {
                    TensorPrimitives.Add(row, bias.AsSpan((h * lq + q0 + r) * lk, keys), row);
                }
                SoftmaxInPlace(row);
            }
            Blas.Sgemm(false, false, rows, dh, keys, 1f, scores, keys, vs.AsSpan(h * dh), dim, 0f,
                output.AsSpan(q0 * dim + h * dh), dim);
        }
        ForAttentionBlocks(heads * blocks, (long)blockRows * keys * dh, blockRows * keys, Block);
        return new CpuTensor(this, new Shape(lq, dim), output);
    }

    /// <summary>
    /// Sliding-window attention: one (head, query frame) item at a time, scoring only the keys of the
    /// frame's window (<see cref="AttentionFrameWindow.KeyFrames"/>); the keys outside are never read.
    /// </summary>
    private Tensor WindowedAttention(float[] qs, float[] ks, float[] vs, float[]? bias, float[] output, int lq, int dim, int dh,
        AttentionSpec spec, AttentionFrameWindow window, int frames)
    {
        int tokens = window.TokensPerFrame;
        int widest = Math.Min(frames, 2 * window.Radius + 1) * tokens;
        void Item(int item, Span<float> scores)
        {
            int h = item / frames, frame = item % frames, q0 = frame * tokens;
            var (first, end) = window.KeyFrames(frame, frames);
            int k0 = first * tokens, keys = (end - first) * tokens;
            Blas.Sgemm(false, true, tokens, keys, dh, spec.Scale,
                qs.AsSpan(q0 * dim + h * dh), dim, ks.AsSpan(k0 * dim + h * dh), dim, 0f, scores, keys);
            for (int r = 0; r < tokens; r++)
            {
                var row = scores.Slice(r * keys, keys);
                if (bias is not null)
                {
                    TensorPrimitives.Add(row, bias.AsSpan((h * lq + q0 + r) * lq + k0, keys), row);
                }
                SoftmaxInPlace(row);
            }
            Blas.Sgemm(false, false, tokens, dh, keys, 1f, scores, keys, vs.AsSpan(k0 * dim + h * dh), dim, 0f,
                output.AsSpan(q0 * dim + h * dh), dim);
        }
        ForAttentionBlocks(spec.Heads * frames, (long)tokens * widest * dh, tokens * widest, Item);
        return new CpuTensor(this, new Shape(lq, dim), output);
    }

    /// <summary>
    /// Runs the (head, query block) items: one per core, each with its own scores buffer and a
    /// single-threaded sgemm (the blocks are too small for OpenBLAS's own threading to pay). The
    /// buffers are pooled and not cleared: the first sgemm writes them with beta 0, which BLAS
    /// defines as not reading C.
    /// </summary>
    private static void ForAttentionBlocks(int items, long workPerItem, int scoresLength, Action<int, Span<float>> body)
    {
        if (Environment.ProcessorCount == 1 || items < 2 || items * workPerItem < 1 << 20)
        {
            using var scores = SpanOwner<float>.Allocate(scoresLength, AllocationMode.Default);
            for (int i = 0; i < items; i++)
            {
                body(i, scores.Span);
            }
            return;
        }
        using (SingleThreadedBlas.Enter())
        {
            Parallel.For(0, items, () => MemoryOwner<float>.Allocate(scoresLength, AllocationMode.Default), (i, _, scores) =>
            {
                body(i, scores.Span);
                return scores;
            }, scores => scores.Dispose());
        }
    }

    /// <summary>Softmax of one row in place, vectorised (exp through TensorPrimitives).</summary>
    internal static void SoftmaxInPlace(Span<float> row)
    {
        TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
        TensorPrimitives.Exp(row, row);
        TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
    }

    /// <summary>Rotates adjacent pairs (2j, 2j+1) of every head of rows [L, dim]; copies first when the input is shared.</summary>
    private float[] ApplyRope(float[] x, bool shared, int rows, int dim, int dh, RopeTable rope)
    {
        var y = shared ? (float[])x.Clone() : x;
        var cos = Cpu(rope.Cos).Data;
        var sin = Cpu(rope.Sin).Data;
        int pairs = dh / 2;
        ForRows(rows, dim, t =>
        {
            for (int h = 0; h < dim / dh; h++)
            {
                for (int j = 0; j < pairs; j++)
                {
                    int i = t * dim + h * dh + 2 * j;
                    float c = cos[t * pairs + j], s = sin[t * pairs + j];
                    float a = y[i], b = y[i + 1];
                    y[i] = a * c - b * s;
                    y[i + 1] = a * s + b * c;
                }
            }
        });
        return y;
    }
}
