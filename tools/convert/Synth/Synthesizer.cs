using Wan.Convert.Configs;
using Wan.Convert.Conversion;
using Wan.Convert.Layout;
using Wan.Convert.Precision;
using Wan.Convert.Pth;
using Wan.Convert.Weights;
using Wan.Convert.Writing;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Convert.Synth;

/// <summary>Options of <see cref="Synthesizer.Write"/>: DiT/T5 layer count override, seed, precision, layout.</summary>
public sealed record SynthOptions(int? Layers = null, ulong Seed = 42, TargetPrecision Precision = TargetPrecision.Fp32,
    bool OriginalLayout = false, long MaxShardBytes = 5_000_000_000);

/// <summary>
/// Writes a random-weight Wan model for a preset, in the diffusers layout (every component, tokenizer,
/// scheduler and model_index) or in the original layout (expert folders, .pth T5/VAE, wan_config.json),
/// streaming every tensor so that multi-GB models need little memory.
/// </summary>
public static class Synthesizer
{
    public static WanModelConfig Configure(string preset, int? layers)
    {
        var config = WanPresets.Get(preset);
        if (layers is { } n)
        {
            if (n < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(layers), n, "--layers must be at least 1");
            }
            config = config with { Dit = config.Dit with { Layers = n }, T5 = config.T5 with { NumLayers = Math.Min(n, config.T5.NumLayers) } };
        }
        return config;
    }

    public static WanModelConfig Write(string preset, string destination, SynthOptions options, IProgress<ConversionProgress>? progress = null)
    {
        var config = Configure(preset, options.Layers);
        Write(config, preset, destination, options, progress);
        return config;
    }

    /// <summary>Writes a random model with exactly <paramref name="config"/> (<see cref="SynthOptions.Layers"/> is ignored).</summary>
    public static void Write(WanModelConfig config, string preset, string destination, SynthOptions options, IProgress<ConversionProgress>? progress = null)
    {
        var experts = Enumerable.Range(0, config.Experts)
            .Select(i => new RandomWeightSource($"synth:{preset}/dit{i}", OriginalInventory.Dit(config.Dit), options.Seed + (ulong)i))
            .ToList();
        var t5 = new RandomWeightSource($"synth:{preset}/t5", OriginalInventory.T5(config.T5), options.Seed + 10);
        var vae = new RandomWeightSource($"synth:{preset}/vae", OriginalInventory.Vae(config.Vae), options.Seed + 20);
        DiffusersDirectory.WriteAtomically(destination, root =>
        {
            if (options.OriginalLayout)
            {
                WriteOriginal(root, config, experts, t5, vae, options);
            }
            else
            {
                WriteDiffusers(root, config, experts, t5, vae, options, progress);
            }
        });
    }

    private static void WriteDiffusers(string root, WanModelConfig config, List<RandomWeightSource> experts, RandomWeightSource t5,
        RandomWeightSource vae, SynthOptions options, IProgress<ConversionProgress>? progress)
    {
        var policy = new DTypePolicy(options.Precision);
        var reports = new List<TensorReport>();
        var folders = DiffusersDirectory.WeightFolders(config.Experts);
        var plans = folders.Select((f, i) =>
        {
            (ITensorSource src, IKeyMap map) = f.Kind switch
            {
                ComponentKind.Transformer => ((ITensorSource)experts[i], (IKeyMap)new DitKeyMap()),
                ComponentKind.TextEncoder => (t5, new T5KeyMap()),
                _ => (vae, new VaeKeyMap(config.Vae.NumResBlocks)),
            };
            return (f.Folder, f.BaseName, Plan: ToDiffusersConverter.Plan(f.Folder, f.Kind, src, map, policy, reports));
        }).ToList();
        var total = plans.Sum(p => p.Plan.Sum(t => t.ByteLength));
        long done = 0;
        foreach (var (folder, baseName, plan) in plans)
        {
            ShardedWriter.Write(Path.Combine(root, folder), baseName, plan, options.MaxShardBytes, n =>
            {
                done += n;
                progress?.Report(new ConversionProgress(folder, done, total));
            });
        }
        var tokenizer = Path.Combine(root, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        SentencePieceModelWriter.Write(Path.Combine(tokenizer, "spiece.model"));
        DiffusersConfigs.Write(Path.Combine(tokenizer, "tokenizer_config.json"), DiffusersConfigs.TokenizerConfig());
        DiffusersConfigs.Write(Path.Combine(tokenizer, "special_tokens_map.json"), DiffusersConfigs.SpecialTokensMap());
        DiffusersDirectory.WriteConfigs(root, config);
    }

    private static void WriteOriginal(string root, WanModelConfig config, List<RandomWeightSource> experts, RandomWeightSource t5,
        RandomWeightSource vae, SynthOptions options)
    {
        var expertDirs = config.Experts == 2 ? new[] { "high_noise_model", "low_noise_model" } : ["."];
        var identity = new DTypePolicy(TargetPrecision.Fp32);
        for (int i = 0; i < experts.Count; i++)
        {
            var plan = experts[i].Names.Select(n => new PlannedTensor([(n, DType.F32, experts[i].Get(n).Shape)],
                w => TensorTranscoder.Write("dit", experts[i], n, n, DType.F32, identity.Precision, w))).ToList();
            ShardedWriter.Write(Path.Combine(root, expertDirs[i]), "diffusion_pytorch_model", plan, options.MaxShardBytes);
        }
        // The official T5 checkpoint is bfloat16, the VAE float32.
        WritePth(Path.Combine(root, "models_t5_umt5-xxl-enc-bf16.pth"), "models_t5_umt5-xxl-enc-bf16", t5, DType.BF16);
        WritePth(Path.Combine(root, "Wan2.1_VAE.pth"), "Wan2.1_VAE", vae, DType.F32);
        var tokenizer = Path.Combine(root, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        SentencePieceModelWriter.Write(Path.Combine(tokenizer, "spiece.model"));
        DiffusersConfigs.Write(Path.Combine(root, "wan_config.json"), WanConfigJson.From(config));
    }

    private static void WritePth(string path, string archive, RandomWeightSource source, DType dtype)
    {
        var entries = source.Names.Select((n, i) => PthTensorEntry.Contiguous(n, dtype, source.Get(n).Shape, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        PthWriter.Write(path, archive, StateDictPickler.Pickle(entries), entries.Select(e => (e.StorageKey, (Action<Stream>)(s => StreamAs(source, e.Name, dtype, s)))));
    }

    private static void StreamAs(ITensorSource source, string name, DType dtype, Stream output)
    {
        using var values = new DTypeChangedTensor(source.Get(name), dtype).OpenRead();
        values.CopyTo(output, 1 << 20);
    }
}
