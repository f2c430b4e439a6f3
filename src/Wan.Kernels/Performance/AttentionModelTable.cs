using System.Globalization;
using System.Text;
using Wan.Kernels.Roofline;

namespace Wan.Kernels.Performance;

/// <summary>One kernel to model with the registers ptxas reported for it.</summary>
/// <param name="Design">the kernel's tiling and shared-memory layout.</param>
/// <param name="Registers">registers per thread (sm_90 ptxas report).</param>
public sealed record ModelledKernel(AttentionKernelDesign Design, int Registers);

/// <summary>
/// The **modelled** (not measured) attention table of docs/attention-model.md: for the DiT's
/// self-attention (Lq = Lk = tokens) and cross-attention (Lk = 512 text tokens), each kernel's pipe
/// times next to the roofline floor; the shared-memory traffic of one tile; and a whole denoising
/// step (two forwards) with the other ops at their roofline floors (<see cref="RooflineTable"/>).
/// </summary>
public static class AttentionModelTable
{
    /// <summary>The DiT's attention launches per forward at <paramref name="tokens"/> tokens.</summary>
    public static IReadOnlyList<AttentionWorkload> Workloads(DitShape s, long tokens) =>
    [
        new("self-attention", tokens, tokens, s.Heads, s.HeadDim, s.Layers),
        new("cross-attention", tokens, s.TextLength, s.Heads, s.HeadDim, s.Layers),
    ];

    /// <summary>The Markdown tables for <paramref name="kernels"/> (first = before, last = after) on <paramref name="gpus"/>.</summary>
    public static string Format(DitShape s, long tokens, IReadOnlyList<ModelledKernel> kernels, IReadOnlyList<SmArchitecture> gpus)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"**Modelled**, {tokens:N0} tokens, {s.Heads} heads × {s.HeadDim}, {s.Layers} layers; times per forward in ms\n\n");
        text.Append("| workload | GPU | kernel | regs | blocks/SM (limit) | wavefronts/tile (ideal) | tensor | shared | ex2 | L2 | DRAM | **modelled** | roofline | × roofline | mma.sync ceiling | × ceiling |\n");
        text.Append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var w in Workloads(s, tokens))
        {
            foreach (var g in gpus)
            {
                foreach (var k in kernels)
                {
                    var e = KernelTimeModel.Estimate(k.Design, k.Registers, w, g);
                    text.Append(inv, $"| {w.Name} | {g.Chip.Name} | {k.Design.Name} | {k.Registers} | {e.Occupancy.Blocks} ({e.Occupancy.Limit}) | {e.WavefrontsPerTile:N0} ({e.IdealWavefrontsPerTile:N0}) |");
                    text.Append(inv, $" {Ms(e.TensorSeconds)} | {Ms(e.SharedSeconds)} | {Ms(e.Ex2Seconds)} | {Ms(e.L2Seconds)} | {Ms(e.DramSeconds)} | **{Ms(e.Seconds)}** ({e.Bound}) | {Ms(e.RooflineSeconds)} | {e.OverRoofline:F2} | {Ms(e.MmaSyncCeilingSeconds)} | {e.OverMmaSyncCeiling:F2} |\n");
                }
            }
        }

        text.Append(inv, $"\nShared-memory instructions of one K/V tile per block at head_dim {s.HeadDim} (replayed addresses)\n\n");
        text.Append("| kernel | access | warp instructions | wavefronts | conflict-free | × |\n|---|---|---:|---:|---:|---:|\n");
        foreach (var k in kernels)
        {
            var tile = new SharedTrafficRecorder();
            k.Design.ReplayTile(s.HeadDim, tile);
            foreach (var c in tile.Counts)
            {
                text.Append(inv, $"| {k.Design.Name} | {c.Access} | {c.Instructions:N0} | {c.Wavefronts:N0} | {c.IdealWavefronts:N0} | {c.ConflictFactor:F1} |\n");
            }
        }

        text.Append("\nOne denoising step (two forwards, CFG): the other ops at their roofline floors, attention as modelled, in s\n\n");
        text.Append("| GPU | all ops at roofline |");
        text.Append(string.Concat(kernels.Select(k => $" attention {k.Design.Name} |")));
        text.Append("\n|---|---:|");
        text.Append(string.Concat(kernels.Select(_ => "---:|")));
        text.Append('\n');
        foreach (var g in gpus)
        {
            var (floor, steps) = Steps(s, tokens, kernels, g);
            text.Append(inv, $"| {g.Chip.Name} | {floor:F2} |");
            text.Append(string.Concat(steps.Select(t => string.Create(inv, $" {t:F2} |"))));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Seconds of one denoising step on <paramref name="gpu"/>: with every op at its roofline floor, and
    /// for each kernel with self- and cross-attention at the kernel's modelled time instead.
    /// </summary>
    public static (double Floor, IReadOnlyList<double> WithKernels) Steps(DitShape s, long tokens, IReadOnlyList<ModelledKernel> kernels, SmArchitecture gpu)
    {
        var rows = RooflineTable.PerForward(s, tokens);
        static bool IsAttention(RooflineRow r) =>
            r.Op.StartsWith("self-attention", StringComparison.Ordinal) || r.Op.StartsWith("cross-attention", StringComparison.Ordinal);
        double others = rows.Where(r => !IsAttention(r)).Sum(r => gpu.Chip.FloorSeconds(r.Flops, r.Bytes));
        double floor = rows.Sum(r => gpu.Chip.FloorSeconds(r.Flops, r.Bytes));
        var withKernels = kernels.Select(k => 2 * (others + Workloads(s, tokens).Sum(w => KernelTimeModel.Estimate(k.Design, k.Registers, w, gpu).Seconds))).ToList();
        return (2 * floor, withKernels);
    }

    private static string Ms(double seconds) => (1e3 * seconds).ToString("N0", CultureInfo.InvariantCulture);
}
