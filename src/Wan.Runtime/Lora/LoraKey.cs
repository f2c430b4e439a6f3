using System.Text.RegularExpressions;

namespace Wan.Runtime.Lora;

/// <summary>What a tensor of a LoRA file is for.</summary>
internal enum LoraKeyRole
{
    /// <summary>A = lora_A / lora_down [r, in].</summary>
    Down,

    /// <summary>B = lora_B / lora_up [out, r].</summary>
    Up,

    /// <summary>alpha (0-dim or one element): scale alpha / r.</summary>
    Alpha,

    /// <summary>.diff: full delta of the module's weight (W' = W + s·diff).</summary>
    Diff,

    /// <summary>.diff_b: full delta of the module's bias.</summary>
    DiffBias,
}

/// <summary>
/// One LoRA tensor name, decoded: its format, the diffusers module it adapts (the names the runtime
/// loads, e.g. <c>blocks.0.attn1.to_q</c>, <c>proj_out</c>) and its role. Original (Wan / ComfyUI /
/// kohya) module names are translated with the table of diffusers <c>_convert_non_diffusers_wan_lora_to_diffusers</c>:
/// self_attn → attn1, cross_attn → attn2, o → to_out.0, ffn.0 → ffn.net.0.proj, ffn.2 → ffn.net.2,
/// norm3 (the cross-attention LayerNorm) → norm2, head.head → proj_out.
/// </summary>
internal readonly partial record struct LoraKey(LoraFormat Format, string Module, LoraKeyRole Role, string OriginalModule)
{
    /// <summary>The key prefix shared by the tensors of one module (the key without its role suffix).</summary>
    public static string ModulePrefix(string key, out LoraKeyRole role)
    {
        foreach (var (suffix, r) in Suffixes)
        {
            if (key.EndsWith(suffix, StringComparison.Ordinal))
            {
                role = r;
                return key[..^suffix.Length];
            }
        }
        role = default;
        return "";
    }

    /// <summary>Decodes a tensor name; false when it follows none of the three formats.</summary>
    public static bool TryParse(string key, out LoraKey parsed)
    {
        parsed = default;
        var prefix = ModulePrefix(key, out var role);
        if (prefix.Length == 0)
        {
            return false;
        }
        if (prefix.StartsWith("lora_unet_", StringComparison.Ordinal))
        {
            var original = KohyaToOriginal(prefix["lora_unet_".Length..]);
            if (original is null || OriginalToDiffusers(original) is not { } module)
            {
                return false;
            }
            parsed = new LoraKey(LoraFormat.KohyaMusubi, module, role, original);
            return true;
        }
        foreach (var p in DiffusersPrefixes)
        {
            if (prefix.StartsWith(p, StringComparison.Ordinal) && IsDiffusersModule(prefix[p.Length..]))
            {
                var module = prefix[p.Length..];
                parsed = new LoraKey(LoraFormat.DiffusersPeft, module, role, module);
                return true;
            }
        }
        var bare = prefix.StartsWith("diffusion_model.", StringComparison.Ordinal) ? prefix["diffusion_model.".Length..] : prefix;
        if (OriginalToDiffusers(bare) is { } mapped)
        {
            parsed = new LoraKey(LoraFormat.OriginalComfy, mapped, role, bare);
            return true;
        }
        if (IsDiffusersModule(bare))
        {
            parsed = new LoraKey(LoraFormat.DiffusersPeft, bare, role, bare);
            return true;
        }
        return false;
    }

    /// <summary>The diffusers parameter a full delta of this key changes (<c>.weight</c> / <c>.bias</c>, or the modulation table itself).</summary>
    public string DeltaParameter => Module.EndsWith("scale_shift_table", StringComparison.Ordinal)
        ? Module
        : Module + (Role == LoraKeyRole.DiffBias ? ".bias" : ".weight");

    /// <summary>Whether the key adapts a normalisation layer (diffusers drops such full deltas).</summary>
    public bool IsNorm => OriginalModule.Contains("norm", StringComparison.Ordinal);

    private static readonly (string Suffix, LoraKeyRole Role)[] Suffixes =
    [
        (".lora_A.weight", LoraKeyRole.Down), (".lora_down.weight", LoraKeyRole.Down), (".lora_A.default.weight", LoraKeyRole.Down),
        (".lora_B.weight", LoraKeyRole.Up), (".lora_up.weight", LoraKeyRole.Up), (".lora_B.default.weight", LoraKeyRole.Up),
        (".alpha", LoraKeyRole.Alpha), (".diff_b", LoraKeyRole.DiffBias), (".diff", LoraKeyRole.Diff),
    ];

    private static readonly string[] DiffusersPrefixes = ["transformer.", "base_model.model."];

    private static string? KohyaToOriginal(string underscored)
    {
        if (KohyaBlock().Match(underscored) is { Success: true } m)
        {
            return $"blocks.{m.Groups[1].Value}.{m.Groups[2].Value}.{m.Groups[3].Value}";
        }
        if (KohyaFfn().Match(underscored) is { Success: true } f)
        {
            return $"blocks.{f.Groups[1].Value}.ffn.{f.Groups[2].Value}";
        }
        if (KohyaEmbedding().Match(underscored) is { Success: true } e)
        {
            return $"{e.Groups[1].Value}.{e.Groups[2].Value}";
        }
        return underscored == "head_head" ? "head.head" : null;
    }

    private static string? OriginalToDiffusers(string original)
    {
        if (OriginalAttention().Match(original) is { Success: true } a)
        {
            var attn = a.Groups[2].Value == "self_attn" ? "attn1" : "attn2";
            var part = a.Groups[3].Value switch
            {
                "o" => "to_out.0",
                "norm_q" or "norm_k" => a.Groups[3].Value,
                var x => "to_" + x,
            };
            return $"blocks.{a.Groups[1].Value}.{attn}.{part}";
        }
        if (OriginalBlockOther().Match(original) is { Success: true } b)
        {
            return b.Groups[2].Value switch
            {
                "ffn.0" => $"blocks.{b.Groups[1].Value}.ffn.net.0.proj",
                "ffn.2" => $"blocks.{b.Groups[1].Value}.ffn.net.2",
                "norm3" => $"blocks.{b.Groups[1].Value}.norm2",
                _ => $"blocks.{b.Groups[1].Value}.scale_shift_table",
            };
        }
        return original switch
        {
            "head.head" => "proj_out",
            "head.modulation" => "scale_shift_table",
            "text_embedding.0" => "condition_embedder.text_embedder.linear_1",
            "text_embedding.2" => "condition_embedder.text_embedder.linear_2",
            "time_embedding.0" => "condition_embedder.time_embedder.linear_1",
            "time_embedding.2" => "condition_embedder.time_embedder.linear_2",
            "time_projection.1" => "condition_embedder.time_proj",
            "patch_embedding" => "patch_embedding",
            _ => null,
        };
    }

    private static bool IsDiffusersModule(string module) =>
        DiffusersBlock().IsMatch(module) || module is "proj_out" or "scale_shift_table" or "patch_embedding"
            or "condition_embedder.text_embedder.linear_1" or "condition_embedder.text_embedder.linear_2"
            or "condition_embedder.time_embedder.linear_1" or "condition_embedder.time_embedder.linear_2"
            or "condition_embedder.time_proj";

    [GeneratedRegex(@"^blocks_(\d+)_(self_attn|cross_attn)_(q|k|v|o|norm_q|norm_k)$")]
    private static partial Regex KohyaBlock();

    [GeneratedRegex(@"^blocks_(\d+)_ffn_(0|2)$")]
    private static partial Regex KohyaFfn();

    [GeneratedRegex(@"^(text_embedding|time_embedding|time_projection)_(\d)$")]
    private static partial Regex KohyaEmbedding();

    [GeneratedRegex(@"^blocks\.(\d+)\.(self_attn|cross_attn)\.(q|k|v|o|norm_q|norm_k)$")]
    private static partial Regex OriginalAttention();

    [GeneratedRegex(@"^blocks\.(\d+)\.(ffn\.0|ffn\.2|norm3|modulation)$")]
    private static partial Regex OriginalBlockOther();

    [GeneratedRegex(@"^blocks\.\d+\.(attn[12]\.(to_q|to_k|to_v|to_out\.0|norm_q|norm_k)|ffn\.net\.0\.proj|ffn\.net\.2|norm2|scale_shift_table)$")]
    private static partial Regex DiffusersBlock();
}
