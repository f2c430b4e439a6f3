using System.Text.Json.Nodes;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Models;

/// <summary>
/// A random umT5 encoder with odd sizes (attention width ≠ d_model, distances past max_distance),
/// held in memory and written as a transformers <c>text_encoder</c> directory on demand.
/// </summary>
internal sealed class Umt5TestModel
{
    public const int Vocab = 53, DModel = 24, DKv = 5, Heads = 3, DFf = 37, Layers = 2, Buckets = 10, MaxDistance = 20;
    public const float Eps = 1e-6f;

    public Umt5TestModel(int seed)
    {
        var rng = new Random(seed);
        Config = new JsonObject
        {
            ["architectures"] = new JsonArray("UMT5EncoderModel"),
            ["model_type"] = "umt5",
            ["d_model"] = DModel,
            ["d_kv"] = DKv,
            ["d_ff"] = DFf,
            ["num_heads"] = Heads,
            ["num_layers"] = Layers,
            ["relative_attention_num_buckets"] = Buckets,
            ["relative_attention_max_distance"] = MaxDistance,
            ["layer_norm_epsilon"] = Eps,
            ["vocab_size"] = Vocab,
            ["feed_forward_proj"] = "gated-gelu",
            ["dense_act_fn"] = "gelu_new",
        };
        Add(rng, "shared.weight", 1f, 0f, Vocab, DModel);
        for (int i = 0; i < Layers; i++)
        {
            var a = $"encoder.block.{i}.layer.0.";
            var f = $"encoder.block.{i}.layer.1.";
            Add(rng, a + "layer_norm.weight", 0.5f, 1f, DModel);
            Add(rng, a + "SelfAttention.q.weight", 0.3f, 0f, Heads * DKv, DModel);
            Add(rng, a + "SelfAttention.k.weight", 0.3f, 0f, Heads * DKv, DModel);
            Add(rng, a + "SelfAttention.v.weight", 0.3f, 0f, Heads * DKv, DModel);
            Add(rng, a + "SelfAttention.o.weight", 0.3f, 0f, DModel, Heads * DKv);
            Add(rng, a + "SelfAttention.relative_attention_bias.weight", 2f, 0f, Buckets, Heads);
            Add(rng, f + "layer_norm.weight", 0.5f, 1f, DModel);
            Add(rng, f + "DenseReluDense.wi_0.weight", 0.3f, 0f, DFf, DModel);
            Add(rng, f + "DenseReluDense.wi_1.weight", 0.3f, 0f, DFf, DModel);
            Add(rng, f + "DenseReluDense.wo.weight", 0.3f, 0f, DModel, DFf);
        }
        Add(rng, "encoder.final_layer_norm.weight", 0.5f, 1f, DModel);
    }

    public JsonObject Config { get; }

    /// <summary>Name → (shape, values), in the order they are written.</summary>
    public Dictionary<string, (int[] Shape, float[] Data)> Weights { get; } = new(StringComparer.Ordinal);

    public float[] this[string name] => Weights[name].Data;

    private void Add(Random rng, string name, float spread, float centre, params int[] shape)
    {
        var data = new float[new Shape(shape).Size];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = centre + spread * (2f * rng.NextSingle() - 1f);
        }
        Weights.Add(name, (shape, data));
    }

    /// <summary>Writes config.json and model.safetensors into a new directory under <paramref name="root"/>.</summary>
    public string WriteTo(string root)
    {
        var dir = Path.Combine(root, "text_encoder");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), Config.ToJsonString());
        var entries = Weights.Select(w => (w.Key, DType.F32, new Shape(w.Value.Shape))).ToList();
        using var writer = new SafetensorsWriter(Path.Combine(dir, "model.safetensors"), entries);
        foreach (var (name, (_, data)) in Weights)
        {
            writer.WriteTensor(name, data);
        }
        writer.Commit();
        return dir;
    }
}
