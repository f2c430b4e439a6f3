using Wan.Runtime.Config;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Lora;

/// <summary>
/// A LoRA .safetensors file, opened (memory-mapped) and fully validated from its header: every tensor
/// name decoded into a format, module and role (<see cref="LoraKey"/>), A/B pairs complete with
/// matching ranks, alphas scalar and finite, and — when a DiT config is given — every module a linear of
/// that DiT with A [r, in] and B [out, r], every full delta the shape of its parameter. Any problem is
/// one <see cref="LoraFormatException"/> listing the first <see cref="MaxListedKeys"/> offending keys and
/// what they were expected to look like: a file is applied whole or not at all.
/// </summary>
public sealed class LoraFile : IDisposable
{
    /// <summary>How many offending keys an error lists.</summary>
    public const int MaxListedKeys = 5;

    private const string ExpectedKeys =
        "expected e.g. 'transformer.blocks.0.attn1.to_q.lora_A.weight' (diffusers/PEFT), " +
        "'lora_unet_blocks_0_self_attn_q.lora_down.weight' (kohya/musubi) or " +
        "'diffusion_model.blocks.0.self_attn.q.lora_A.weight' / '.alpha' / '.diff' / '.diff_b' (original/ComfyUI)";

    private readonly SafetensorsFile _file;

    private LoraFile(SafetensorsFile file, LoraFormat format, IReadOnlyList<LoraModule> modules, IReadOnlyList<LoraDelta> deltas)
    {
        _file = file;
        Format = format;
        Modules = modules;
        Deltas = deltas;
    }

    /// <summary>The file's path.</summary>
    public string Path => _file.Path;

    /// <summary>The key format recognised from the tensor names.</summary>
    public LoraFormat Format { get; }

    /// <summary>The safetensors <c>__metadata__</c> (e.g. kohya's <c>ss_network_dim</c>, <c>ss_network_alpha</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _file.Metadata;

    /// <summary>The low-rank adapters, ordered by module name.</summary>
    public IReadOnlyList<LoraModule> Modules { get; }

    /// <summary>The full deltas (.diff / .diff_b), ordered by parameter name.</summary>
    public IReadOnlyList<LoraDelta> Deltas { get; }

    /// <summary>
    /// Opens and validates a LoRA file. With <paramref name="config"/> the modules and shapes are also
    /// checked against that DiT (what applying it would check); without, only the file's own consistency.
    /// </summary>
    /// <exception cref="LoraFormatException">Missing or unreadable file, no recognised format, or offending keys (listed).</exception>
    public static LoraFile Open(string path, DitConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new LoraFormatException($"{path}: LoRA file not found");
        }
        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Open(path);
        }
        catch (Exception e) when (e is SafetensorsFormatException or IOException or UnauthorizedAccessException)
        {
            throw new LoraFormatException($"{path}: not a readable safetensors LoRA file: {e.Message}", e);
        }
        try
        {
            var (format, modules, deltas) = Parse(file, config is null ? null : new DitParameterShapes(config));
            return new LoraFile(file, format, modules, deltas);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Validates a LoRA file without applying it (see <see cref="Open"/>); returns its format.</summary>
    /// <exception cref="LoraFormatException">As <see cref="Open"/>.</exception>
    public static LoraFormat Validate(string path, DitConfig? config = null)
    {
        using var file = Open(path, config);
        return file.Format;
    }

    /// <summary>A tensor of the file as float32 (bf16/fp16 widened exactly).</summary>
    internal float[] Read(string key) => _file.Get(key).ToFloatArray();

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _file.Dispose();

    private static (LoraFormat, IReadOnlyList<LoraModule>, IReadOnlyList<LoraDelta>) Parse(SafetensorsFile file, DitParameterShapes? dit)
    {
        var bad = new List<string>();
        var formats = new SortedSet<LoraFormat>();
        var byModule = new Dictionary<string, Dictionary<LoraKeyRole, (string Key, LoraKey Parsed, TensorInfo Info)>>(StringComparer.Ordinal);
        var deltas = new List<LoraDelta>();
        foreach (var info in file.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (!LoraKey.TryParse(info.Name, out var key))
            {
                bad.Add(info.Name.StartsWith("transformer_2.", StringComparison.Ordinal)
                    ? $"'{info.Name}': 'transformer_2.' keys are not a LoRA format (diffusers skips them too); use 'transformer.' keys and target the low-noise expert with FILE:STRENGTH:low"
                    : $"'{info.Name}': matches no LoRA key of the Wan DiT");
                continue;
            }
            formats.Add(key.Format);
            if (!info.DType.IsFloat())
            {
                bad.Add($"'{info.Name}': dtype {info.DType}, expected a float type");
                continue;
            }
            if (key.Role is LoraKeyRole.Diff or LoraKeyRole.DiffBias)
            {
                CheckDelta(info, key, dit, bad, deltas);
                continue;
            }
            var roles = byModule.TryGetValue(key.Module, out var r) ? r : byModule[key.Module] = [];
            if (!roles.TryAdd(key.Role, (info.Name, key, info)))
            {
                bad.Add($"'{info.Name}': a second {key.Role} tensor for module '{key.Module}' (already '{roles[key.Role].Key}')");
            }
        }
        var modules = new List<LoraModule>();
        foreach (var (module, roles) in byModule.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (CheckModule(file, module, roles, dit, bad) is { } m)
            {
                modules.Add(m);
            }
        }
        if (formats.Count > 1)
        {
            bad.Insert(0, $"keys of several formats ({string.Join(", ", formats)}) in one file");
        }
        if (bad.Count == 0 && modules.Count == 0 && deltas.Count == 0)
        {
            bad.Add($"no tensors ({ExpectedKeys})");
        }
        if (bad.Count > 0)
        {
            var shown = string.Join("; ", bad.Take(MaxListedKeys));
            var more = bad.Count > MaxListedKeys ? $"; ... and {bad.Count - MaxListedKeys} more" : "";
            var hint = bad.Any(b => b.EndsWith("matches no LoRA key of the Wan DiT", StringComparison.Ordinal)) ? $" ({ExpectedKeys})" : "";
            throw new LoraFormatException($"{file.Path}: LoRA refused, {bad.Count} offending key(s): {shown}{more}{hint}");
        }
        return (formats.Min, modules, deltas);
    }

    private static void CheckDelta(TensorInfo info, LoraKey key, DitParameterShapes? dit, List<string> bad, List<LoraDelta> deltas)
    {
        var parameter = key.DeltaParameter;
        if (!DitParameterShapes.DeltaSupported(parameter))
        {
            bad.Add($"'{info.Name}': full delta of '{parameter}' is not supported (supported: .diff/.diff_b of linears and norms)");
            return;
        }
        if (dit is not null)
        {
            if (dit.ParameterShape(parameter) is not { } expected)
            {
                bad.Add($"'{info.Name}': this DiT has no parameter '{parameter}' ({dit.Layers} blocks)");
                return;
            }
            if (info.Shape != expected)
            {
                bad.Add($"'{info.Name}': shape {info.Shape}, expected {expected} (the shape of '{parameter}')");
                return;
            }
        }
        bool linearWeightDiff = key.Role == LoraKeyRole.Diff && !key.IsNorm && info.Shape.Rank == 2;
        deltas.Add(new LoraDelta(parameter, info.Name, info.Shape, key.IsNorm, linearWeightDiff));
    }

    private static LoraModule? CheckModule(SafetensorsFile file, string module,
        Dictionary<LoraKeyRole, (string Key, LoraKey Parsed, TensorInfo Info)> roles, DitParameterShapes? dit, List<string> bad)
    {
        bool hasDown = roles.TryGetValue(LoraKeyRole.Down, out var down);
        bool hasUp = roles.TryGetValue(LoraKeyRole.Up, out var up);
        bool hasAlpha = roles.TryGetValue(LoraKeyRole.Alpha, out var alpha);
        if (!hasDown || !hasUp)
        {
            var present = hasDown ? down : hasUp ? up : alpha;
            bad.Add($"'{present.Key}': module '{module}' lacks its {(hasDown ? "lora_B/lora_up" : "lora_A/lora_down")} tensor (a LoRA module needs both)");
            return null;
        }
        var (ds, us) = (down.Info.Shape, up.Info.Shape);
        if (ds.Rank != 2 || ds[0] < 1)
        {
            bad.Add($"'{down.Key}': shape {ds}, expected [rank, in]");
            return null;
        }
        int rank = ds[0];
        var linear = dit?.LinearShape(module);
        if (dit is not null && linear is null)
        {
            bad.Add($"'{down.Key}': module '{module}' is not a linear of this DiT ({dit.Layers} blocks; e.g. 'blocks.0.attn1.to_q', 'blocks.0.ffn.net.0.proj', 'proj_out')");
            return null;
        }
        int inputs = linear?.In ?? ds[1], outputs = linear?.Out ?? (us.Rank == 2 ? us[0] : -1);
        if (ds != new Shape(rank, inputs))
        {
            bad.Add($"'{down.Key}': shape {ds}, expected [{rank}, {inputs}] (lora_A/lora_down = [rank, in] of '{module}')");
            return null;
        }
        if (us.Rank != 2 || us != new Shape(outputs, rank))
        {
            bad.Add($"'{up.Key}': shape {us}, expected [{(outputs < 0 ? "out" : outputs)}, {rank}] (lora_B/lora_up = [out, rank] of '{module}')");
            return null;
        }
        float? alphaValue = null;
        if (hasAlpha)
        {
            var values = alpha.Info.Shape.ElementCount == 1 ? file.Get(alpha.Key).ToFloatArray() : [];
            if (values.Length != 1 || !float.IsFinite(values[0]))
            {
                bad.Add($"'{alpha.Key}': expected one finite number (0-dim), got shape {alpha.Info.Shape}");
                return null;
            }
            alphaValue = values[0];
        }
        return new LoraModule(module, down.Key, up.Key, rank, inputs, outputs, alphaValue, down.Info.DType);
    }
}
