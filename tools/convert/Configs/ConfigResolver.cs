using System.Text.RegularExpressions;
using Wan.Convert.Weights;
using Wan.Runtime.Config;
using Wan.Runtime.Weights;

namespace Wan.Convert.Configs;

/// <summary>
/// Builds a <see cref="WanModelConfig"/> for an original-layout checkpoint: every size that tensor
/// shapes determine is taken from the shapes; the rest comes from the JSON settings (options file,
/// wan_config.json, the expert's config.json), else from the preset that matches the DiT, else is an
/// error naming the missing key. A setting that contradicts a shape is an error.
/// </summary>
public static partial class ConfigResolver
{
    public static WanModelConfig Resolve(IReadOnlyList<ITensorSource> experts, ITensorSource t5, ITensorSource vae, JsonSettings settings)
    {
        var dit = experts[0];
        var patch = Shape(dit, "patch_embedding.weight");
        var dim = patch[0];
        var preset = WanPresets.Match(dim, experts.Count);
        string From(string key) => $"'{key}' is not recoverable from the weights: put it in wan_config.json or an --options file";

        dim = Check(settings.Get<int>("dit.dim", "dim"), dim, "dit.dim", dit);
        var heads = settings.Get<int>("dit.num_heads", "num_heads") ?? preset?.Dit.Heads ?? throw new InvalidDataException(From("dit.num_heads"));
        if (heads <= 0 || dim % heads != 0)
        {
            throw new InvalidDataException($"dit.num_heads {heads} does not divide dim {dim}");
        }
        var ditConfig = new DitConfig(
            Heads: heads,
            HeadDim: dim / heads,
            InChannels: Check(settings.Get<int>("dit.in_dim", "in_dim"), patch[1], "dit.in_dim", dit),
            OutChannels: Check(settings.Get<int>("dit.out_dim", "out_dim"), Shape(dit, "head.head.weight")[0] / (patch[2] * patch[3] * patch[4]), "dit.out_dim", dit),
            TextDim: Shape(dit, "text_embedding.0.weight")[1],
            FreqDim: Check(settings.Get<int>("dit.freq_dim", "freq_dim"), Shape(dit, "time_embedding.0.weight")[1], "dit.freq_dim", dit),
            FfnDim: Check(settings.Get<int>("dit.ffn_dim", "ffn_dim"), Shape(dit, "blocks.0.ffn.0.weight")[0], "dit.ffn_dim", dit),
            Layers: Check(settings.Get<int>("dit.num_layers", "num_layers"), CountBlocks(dit, BlockIndex()), "dit.num_layers", dit),
            Patch: (patch[2], patch[3], patch[4]),
            Eps: (float)(settings.Get<double>("dit.eps", "eps") ?? 1e-6),
            CrossAttnNorm: settings.Get<bool>("dit.cross_attn_norm", "cross_attn_norm") ?? dit.Contains("blocks.0.norm3.weight"),
            RopeMaxSeqLen: settings.Get<int>("dit.rope_max_positions") ?? 1024);
        foreach (var other in experts.Skip(1))
        {
            if (Shape(other, "patch_embedding.weight") != patch || CountBlocks(other, BlockIndex()) != ditConfig.Layers)
            {
                throw new InvalidDataException($"{other.Location}: this expert's shapes differ from {dit.Location}");
            }
        }

        var embedding = Shape(t5, "token_embedding.weight");
        var bias = Shape(t5, "blocks.0.pos_embedding.embedding.weight");
        var t5Heads = bias[1];
        var t5Config = new Umt5Config(
            DModel: embedding[1],
            DKv: Shape(t5, "blocks.0.attn.q.weight")[0] / t5Heads,
            DFf: Shape(t5, "blocks.0.ffn.fc1.weight")[0],
            NumHeads: Check(settings.Get<int>("t5.num_heads"), t5Heads, "t5.num_heads", t5),
            NumLayers: CountBlocks(t5, BlockIndex()),
            RelativeAttentionNumBuckets: bias[0],
            RelativeAttentionMaxDistance: settings.Get<int>("t5.max_distance") ?? 128,
            LayerNormEpsilon: (float)(settings.Get<double>("t5.eps") ?? 1e-6),
            VocabSize: embedding[0]);

        var dimMult = settings.GetArray<int>("vae.dim_mult") ?? preset?.Vae.DimMult ?? WanPresets.A14B.Vae.DimMult;
        var vaeConfig = new VaeConfig(
            BaseDim: Shape(vae, "encoder.conv1.weight")[0] / dimMult[0],
            ZDim: Shape(vae, "conv2.weight")[0],
            DimMult: dimMult,
            NumResBlocks: settings.Get<int>("vae.num_res_blocks") ?? 2,
            TemporalDownsample: settings.GetArray<bool>("vae.temperal_downsample") ?? [false, true, true],
            LatentsMean: settings.GetArray<double>("vae.latents_mean")?.Select(v => (float)v).ToArray() ?? WanPresets.Wan21LatentsMean,
            LatentsStd: settings.GetArray<double>("vae.latents_std")?.Select(v => (float)v).ToArray() ?? WanPresets.Wan21LatentsStd,
            InChannels: 3,
            OutChannels: 3);
        if (vaeConfig.LatentsMean.Count != vaeConfig.ZDim || vaeConfig.LatentsStd.Count != vaeConfig.ZDim)
        {
            throw new InvalidDataException($"vae.latents_mean/std need {vaeConfig.ZDim} values (z_dim of {vae.Location})");
        }

        var pipeline = new PipelineConfig(
            BoundaryRatio: experts.Count == 2
                ? settings.Get<double>("boundary") ?? preset?.Pipeline.BoundaryRatio ?? throw new InvalidDataException(From("boundary"))
                : null,
            SampleShift: settings.Get<double>("sample_shift") ?? preset?.Pipeline.SampleShift ?? throw new InvalidDataException(From("sample_shift")),
            NumTrainTimesteps: settings.Get<int>("num_train_timesteps") ?? 1000);
        return new WanModelConfig(ditConfig, experts.Count, t5Config, vaeConfig, pipeline);
    }

    private static Wan.Runtime.Tensors.Shape Shape(ITensorSource source, string name) =>
        source.Contains(name)
            ? source.Get(name).Shape
            : throw new InvalidDataException($"{source.Location}: required tensor '{name}' is missing");

    private static int Check(int? setting, int fromShapes, string key, ITensorSource source) =>
        setting is { } s && s != fromShapes
            ? throw new InvalidDataException($"'{key}' = {s} in the settings contradicts the weights of {source.Location} ({fromShapes})")
            : fromShapes;

    private static int CountBlocks(ITensorSource source, Regex pattern)
    {
        var indices = source.Names.Select(n => pattern.Match(n)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        if (indices.Count == 0 || indices.Max() != indices.Count - 1)
        {
            throw new InvalidDataException($"{source.Location}: blocks are not numbered 0..N-1 ({indices.Count} distinct indices)");
        }
        return indices.Count;
    }

    [GeneratedRegex(@"^blocks\.(\d+)\.")]
    private static partial Regex BlockIndex();
}
