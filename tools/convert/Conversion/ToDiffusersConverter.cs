using Wan.Convert.Configs;
using Wan.Convert.Layout;
using Wan.Convert.Precision;
using Wan.Convert.Pth;
using Wan.Convert.Weights;
using Wan.Convert.Writing;
using Wan.Runtime.Weights;

namespace Wan.Convert.Conversion;

/// <summary>
/// Original Wan layout -> diffusers layout. Tensors are renamed per component, converted per
/// <see cref="DTypePolicy"/> and streamed one at a time into size-limited shards; configs are written
/// from <see cref="ConfigResolver"/>; the whole tree appears at the destination only when complete.
/// </summary>
public static class ToDiffusersConverter
{
    public static ConversionResult Convert(string source, string destination, ConvertOptions options,
        IProgress<ConversionProgress>? progress = null) => Convert(source, destination, options, progress, null);

    /// <summary>
    /// <see cref="Convert(string, string, ConvertOptions, IProgress{ConversionProgress}?)"/> with the DiT weights of a
    /// single-DiT original taken from <paramref name="dit"/> (original Wan names; owned and disposed here) instead of
    /// the source's safetensors: a fine-tuned DiT such as Self-Forcing's on its base model's text encoder, VAE and tokenizer.
    /// </summary>
    /// <exception cref="InvalidDataException">the source has two experts while a DiT replacement is given.</exception>
    public static ConversionResult Convert(string source, string destination, ConvertOptions options,
        IProgress<ConversionProgress>? progress, ITensorSource? dit)
    {
        var sources = new List<ITensorSource>();
        if (dit is not null)
        {
            sources.Add(dit);
        }
        try
        {
            var layout = OriginalLayout.Locate(source);
            if (dit is not null && layout.ExpertDirectories.Count != 1)
            {
                throw new InvalidDataException($"{layout.Root}: a replacement DiT needs a single-DiT base model (Wan2.1), this one has {layout.ExpertDirectories.Count} experts");
            }
            List<ITensorSource> experts = dit is not null ? [dit] : [.. layout.ExpertDirectories.Select(d => Track(sources, SafetensorsCheckpoint.Open(d)))];
            var t5 = Track(sources, PthCheckpoint.Open(layout.T5Path));
            var vae = Track(sources, PthCheckpoint.Open(layout.VaePath));

            var settings = new JsonSettings();
            if (options.OptionsFile is not null)
            {
                settings.Add(options.OptionsFile, required: true);
            }
            if (layout.WanConfigPath is not null)
            {
                settings.Add(layout.WanConfigPath);
            }
            settings.Add(Path.Combine(layout.ExpertDirectories[0], "config.json"));
            var config = ConfigResolver.Resolve(experts, t5, vae, settings);

            var policy = new DTypePolicy(options.Precision);
            var reports = new List<TensorReport>();
            var folders = DiffusersDirectory.WeightFolders(config.Experts);
            var inputs = new List<(string Folder, ComponentKind Kind, string BaseName, ITensorSource Source, IKeyMap Map)>();
            for (int i = 0; i < folders.Count; i++)
            {
                var (folder, kind, baseName) = folders[i];
                (ITensorSource src, IKeyMap map) = kind switch
                {
                    ComponentKind.Transformer => ((ITensorSource)experts[i], (IKeyMap)new DitKeyMap()),
                    ComponentKind.TextEncoder => (t5, new T5KeyMap()),
                    _ => (vae, new VaeKeyMap(config.Vae.NumResBlocks)),
                };
                inputs.Add((folder, kind, baseName, src, map));
            }
            var plans = inputs.Select(c => (c.Folder, c.BaseName, Plan: Plan(c.Folder, c.Kind, c.Source, c.Map, policy, reports))).ToList();
            var total = plans.Sum(p => p.Plan.Sum(t => t.ByteLength));

            DiffusersDirectory.WriteAtomically(destination, root =>
            {
                long done = 0;
                foreach (var (folder, baseName, plan) in plans)
                {
                    ShardedWriter.Write(Path.Combine(root, folder), baseName, plan, options.MaxShardBytes, n =>
                    {
                        done += n;
                        progress?.Report(new ConversionProgress(folder, done, total));
                    });
                }
                CopyTokenizer(layout.TokenizerDirectory, Path.Combine(root, "tokenizer"));
                DiffusersDirectory.WriteConfigs(root, config);
            });
            return new ConversionResult(config, reports);
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }
        }
    }

    private static T Track<T>(List<ITensorSource> opened, T source) where T : ITensorSource
    {
        opened.Add(source);
        return source;
    }

    /// <summary>Names, dtypes and write actions of one component; duplicate or unknown names fail before anything is written.</summary>
    public static List<PlannedTensor> Plan(string component, ComponentKind kind, ITensorSource source, IKeyMap map,
        DTypePolicy policy, List<TensorReport> reports)
    {
        var plan = new List<PlannedTensor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in source.Names)
        {
            var target = map.Require(name, source.Location);
            if (!seen.Add(target))
            {
                throw new InvalidDataException($"{source.Location}: two tensors map to '{target}'");
            }
            var info = source.Get(name);
            var dtype = policy.TargetFor(kind, target, info);
            var entries = TensorTranscoder.Entries(target, dtype, info.Shape, policy.Precision);
            plan.Add(new PlannedTensor(entries, writer =>
                reports.Add(TensorTranscoder.Write(component, source, name, target, dtype, policy.Precision, writer))));
        }
        return plan;
    }

    private static void CopyTokenizer(string from, string to)
    {
        if (!File.Exists(Path.Combine(from, "spiece.model")))
        {
            throw new FileNotFoundException($"{from}: tokenizer folder has no spiece.model");
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        if (!File.Exists(Path.Combine(to, "tokenizer_config.json")))
        {
            DiffusersConfigs.Write(Path.Combine(to, "tokenizer_config.json"), DiffusersConfigs.TokenizerConfig());
        }
        if (!File.Exists(Path.Combine(to, "special_tokens_map.json")))
        {
            DiffusersConfigs.Write(Path.Combine(to, "special_tokens_map.json"), DiffusersConfigs.SpecialTokensMap());
        }
    }
}

/// <summary>The resolved configuration and a report for every converted tensor.</summary>
public sealed record ConversionResult(WanModelConfig Config, IReadOnlyList<TensorReport> Tensors);
