using System.Globalization;
using System.Text.RegularExpressions;
using Wan.Runtime.Lora;
using Wan.Runtime.Weights;

namespace Wan.Convert.Inspection;

/// <summary>What <c>wan-convert inspect LORA.safetensors</c> reports about a LoRA file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">Key format recognised from the tensor names.</param>
/// <param name="Ranks">Distinct ranks of the low-rank modules.</param>
/// <param name="Alphas">Distinct stored alphas (empty: no alpha, scale 1).</param>
/// <param name="Scales">Distinct alpha / rank.</param>
/// <param name="DTypes">Storage dtypes of A/B.</param>
/// <param name="Modules">Number of adapted linears.</param>
/// <param name="Targets">Adapted module kinds (diffusers names with the block index replaced by N) and how many blocks each covers.</param>
/// <param name="Blocks">Distinct block indices adapted.</param>
/// <param name="Deltas">Full deltas (.diff/.diff_b) as parameter names, with whether the diffusers semantics drops them.</param>
/// <param name="Metadata">The safetensors metadata.</param>
public sealed record LoraDescription(string Path, LoraFormat Format, IReadOnlyList<int> Ranks, IReadOnlyList<float> Alphas,
    IReadOnlyList<float> Scales, IReadOnlyList<string> DTypes, int Modules, IReadOnlyList<(string Kind, int Blocks)> Targets,
    IReadOnlyList<int> Blocks, IReadOnlyList<(string Parameter, bool DroppedByDiffusers)> Deltas, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>A LoRA file names no expert: the user chooses (diffusers loads the same file into either).</summary>
    public const string Experts = "not recorded in a LoRA file: choose with --lora FILE[:STRENGTH[:high|low|both]] (default both)";

    /// <summary>The report as text lines.</summary>
    public IEnumerable<string> Lines()
    {
        string Join<T>(IEnumerable<T> values) => string.Join(", ", values.Select(v => System.Convert.ToString(v, CultureInfo.InvariantCulture)));
        yield return $"{Path}: LoRA, format {Format}";
        yield return $"rank {Join(Ranks)}; alpha {(Alphas.Count == 0 ? "none" : Join(Alphas))}; scale alpha/rank {Join(Scales)}; A/B dtype {Join(DTypes)}";
        yield return $"{Modules} adapted linears over {Blocks.Count} block(s) ({(Blocks.Count == 0 ? "-" : $"{Blocks.Min()}..{Blocks.Max()}")}):";
        foreach (var (kind, blocks) in Targets)
        {
            yield return $"  {kind}  x{blocks}";
        }
        if (Deltas.Count > 0)
        {
            yield return $"{Deltas.Count} full deltas ({Deltas.Count(d => d.DroppedByDiffusers)} dropped by --lora-deltas diffusers):";
            foreach (var (parameter, dropped) in Deltas)
            {
                yield return $"  {parameter}{(dropped ? "  (norm: diffusers ignores it)" : "")}";
            }
        }
        yield return $"experts: {Experts}";
        foreach (var (key, value) in Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            yield return $"metadata {key} = {value}";
        }
    }
}

/// <summary>Recognises and describes LoRA files for <c>wan-convert inspect</c>.</summary>
public static partial class LoraInspector
{
    /// <summary>Whether a .safetensors file holds LoRA tensors (any lora_A/lora_down/lora_B/lora_up/alpha/diff/diff_b key).</summary>
    public static bool IsLora(string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
        {
            return false;
        }
        using var file = SafetensorsFile.Open(path);
        return file.Names.Any(n => LoraSuffix().IsMatch(n));
    }

    /// <summary>Opens (fully validating) and describes a LoRA file.</summary>
    /// <exception cref="LoraFormatException">The file is not a usable LoRA (offending keys listed).</exception>
    public static LoraDescription Describe(string path)
    {
        using var lora = LoraFile.Open(path);
        var blocks = new SortedSet<int>();
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in lora.Modules)
        {
            var match = BlockIndex().Match(m.Module);
            var kind = match.Success ? BlockIndex().Replace(m.Module, "blocks.N.") : m.Module;
            if (match.Success)
            {
                blocks.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        return new LoraDescription(lora.Path, lora.Format,
            [.. lora.Modules.Select(m => m.Rank).Distinct().Order()],
            [.. lora.Modules.Where(m => m.Alpha is not null).Select(m => m.Alpha!.Value).Distinct().Order()],
            [.. lora.Modules.Select(m => m.Scale).Distinct().Order()],
            [.. lora.Modules.Select(m => m.DType.ToString()).Distinct().Order(StringComparer.Ordinal)],
            lora.Modules.Count, [.. kinds.Select(k => (k.Key, k.Value))], [.. blocks],
            [.. lora.Deltas.Select(d => (d.Parameter, !d.AppliedUnder(LoraMergeSemantics.Diffusers)))],
            lora.Metadata);
    }

    [GeneratedRegex(@"\.(lora_[AB](\.default)?\.weight|lora_(down|up)\.weight|alpha|diff|diff_b)$")]
    private static partial Regex LoraSuffix();

    [GeneratedRegex(@"^blocks\.(\d+)\.")]
    private static partial Regex BlockIndex();
}
