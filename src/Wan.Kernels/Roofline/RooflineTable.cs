using System.Globalization;
using System.Text;

namespace Wan.Kernels.Roofline;

/// <summary>
/// The computed (not measured) roofline of one DiT forward on the CUDA backend as it launches work
/// today (kernels/cuda + one GEMM per linear): every GEMM and kernel with its FLOPs and minimum
/// bytes in 16-bit storage, and the floor time on a GPU = max(FLOPs / peak, bytes / bandwidth).
/// A denoising step runs two forwards (classifier-free guidance) of one expert; the text K/V of
/// the cross-attention are cached per generation and not counted.
/// </summary>
public static class RooflineTable
{
    /// <summary>Bytes per stored element (bf16/fp16).</summary>
    private const double E = 2;

    /// <summary>Every GEMM and kernel of one forward of expert <paramref name="s"/> over <paramref name="tokens"/> latent tokens, with FLOPs and minimum bytes.</summary>
    public static IReadOnlyList<RooflineRow> PerForward(DitShape s, long tokens)
    {
        double l = tokens, d = s.Dim, f = s.FfnDim, t = s.TextLength, p = s.PatchValues, n = s.Layers;
        long layers = s.Layers;
        return
        [
            new("patch gather", "kernel", 1, 0, 2 * l * p * E),
            Gemm("patch embedding GEMM", 1, l, d, p),
            Gemm("time MLP + projection (3 GEMMs, M = 1)", 3, 1, d, s.FreqDim) with
            {
                Flops = 2 * d * (s.FreqDim + d + 6 * d),
                Bytes = (d * (s.FreqDim + d + 6 * d) + 8 * d) * E,
            },
            new("time MLP kernels (SiLU ×2, bias ×3)", "kernel", 5, 0, 10 * d * E),
            new("modulation add + 6 row slices", "kernel", 7 * layers, 0, n * 13 * 6 * d * E),
            new("adaLN LayerNorm (attn, FFN)", "kernel", 2 * layers, n * 2 * 8 * l * d, n * 2 * (2 * l * d + 2 * d) * E),
            Gemm("self-attn Q/K/V projections", 3 * layers, l, d, d),
            new("bias adds (Q,K,V,O,Q2,O2,FFN out; FFN in)", "kernel", 8 * layers, n * (7 * l * d + l * f), n * (7 * 2 * l * d + 2 * l * f) * E),
            new("Q/K RMSNorm + RoPE pre-pass (q1, k1, q2)", "kernel", 3 * layers, n * 3 * 10 * l * d, n * 3 * 2 * l * d * E),
            new("self-attention (flash, tensor cores)", "kernel", layers, n * 4 * l * l * d, n * 4 * l * d * E),
            Gemm("self-attn output projection", layers, l, d, d),
            new("gated residual adds (2) + residual add", "kernel", 3 * layers, n * 3 * 2 * l * d, n * 3 * 3 * l * d * E),
            new("cross-attn LayerNorm", "kernel", layers, n * 8 * l * d, n * 2 * l * d * E),
            Gemm("cross-attn Q projection", layers, l, d, d),
            new("cross-attention over 512 cached text K/V", "kernel", layers, n * 4 * l * t * d, n * (2 * l * d + 2 * t * d) * E),
            Gemm("cross-attn output projection", layers, l, d, d),
            Gemm("FFN in GEMM", layers, l, f, d),
            new("GELU-tanh", "kernel", layers, n * 8 * l * f, n * 2 * l * f * E),
            Gemm("FFN out GEMM", layers, l, d, f),
            new("head: modulation + LayerNorm", "kernel", 5, 8 * l * d, (2 * l * d + 6 * d) * E),
            Gemm("head GEMM", 1, l, p, d),
            new("bias add (patch, head) + unpatchify", "kernel", 3, l * (d + 2 * p), (2 * l * d + 4 * l * p) * E),
        ];
    }

    /// <summary>The table in Markdown, per forward and per denoising step (two forwards), with floors on each GPU.</summary>
    public static string Format(DitShape s, long tokens, IReadOnlyList<Accelerator> gpus)
    {
        var rows = PerForward(s, tokens);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"{tokens:N0} tokens, {s.Layers} layers, dim {s.Dim}, ffn {s.FfnDim}, {s.Heads} heads × {s.HeadDim} (computed, not measured; per forward)\n\n");
        text.Append("| op | kind | launches | GFLOP | GB | FLOP/B |");
        foreach (var g in gpus)
        {
            text.Append(inv, $" floor {g.Name} ms |");
        }
        text.Append("\n|---|---|---:|---:|---:|---:|");
        text.Append(string.Concat(gpus.Select(_ => "---:|")));
        text.Append('\n');
        foreach (var r in rows)
        {
            text.Append(inv, $"| {r.Op} | {r.Kind} | {r.LaunchesPerForward} | {r.Flops / 1e9:N1} | {r.Bytes / 1e9:N2} | {r.Intensity:N0} |");
            foreach (var g in gpus)
            {
                text.Append(inv, $" {1e3 * g.FloorSeconds(r.Flops, r.Bytes):N2} |");
            }
            text.Append('\n');
        }
        double flops = rows.Sum(r => r.Flops), bytes = rows.Sum(r => r.Bytes);
        long launches = rows.Sum(r => r.LaunchesPerForward);
        text.Append(inv, $"| **forward** | | {launches} | {flops / 1e9:N0} | {bytes / 1e9:N1} | {flops / bytes:N0} |");
        foreach (var g in gpus)
        {
            text.Append(inv, $" {1e3 * rows.Sum(r => g.FloorSeconds(r.Flops, r.Bytes)):N0} |");
        }
        text.Append(inv, $"\n| **step (2 forwards, CFG)** | | {2 * launches} | {2 * flops / 1e9:N0} | {2 * bytes / 1e9:N1} | |");
        foreach (var g in gpus)
        {
            text.Append(inv, $" {2e3 * rows.Sum(r => g.FloorSeconds(r.Flops, r.Bytes)):N0} |");
        }
        text.Append('\n');
        return text.ToString();
    }

    /// <summary>C[m, n] = A[m, k] · W[n, k]ᵀ: 2mnk FLOPs; A, W read once, C written once.</summary>
    private static RooflineRow Gemm(string op, long count, double m, double n, double k) =>
        new(op, "GEMM", count, count * 2 * m * n * k, count * (m * k + n * k + m * n) * E);
}
