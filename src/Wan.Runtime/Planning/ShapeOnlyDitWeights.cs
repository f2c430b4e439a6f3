using Wan.Runtime.Config;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Planning;

/// <summary>
/// Every weight of a Wan DiT expert of <see cref="DitConfig"/> by its diffusers name and shape
/// (diffusers <c>transformer_wan.py</c> <c>WanTransformer3DModel</c>, the names <c>WanTransformer</c> loads),
/// as shape-only BF16 tensors: a full-size expert for a dry run with no file and no byte read.
/// </summary>
internal sealed class ShapeOnlyDitWeights : ITensorSource
{
    private readonly Dictionary<string, StoredTensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    public ShapeOnlyDitWeights(DitConfig config, string location)
    {
        Location = location;
        int d = config.Dim;
        Add("patch_embedding.weight", d, config.InChannels, config.Patch.T, config.Patch.H, config.Patch.W);
        Add("patch_embedding.bias", d);
        Linear("condition_embedder.time_embedder.linear_1", d, config.FreqDim);
        Linear("condition_embedder.time_embedder.linear_2", d, d);
        Linear("condition_embedder.time_proj", 6 * d, d);
        Linear("condition_embedder.text_embedder.linear_1", d, config.TextDim);
        Linear("condition_embedder.text_embedder.linear_2", d, d);
        Linear("proj_out", config.OutChannels * config.Patch.T * config.Patch.H * config.Patch.W, d);
        Add("scale_shift_table", 1, 2, d);
        for (int i = 0; i < config.Layers; i++)
        {
            var p = $"blocks.{i}.";
            Add(p + "scale_shift_table", 1, 6, d);
            foreach (var attention in new[] { "attn1", "attn2" })
            {
                foreach (var projection in new[] { "to_q", "to_k", "to_v", "to_out.0" })
                {
                    Linear($"{p}{attention}.{projection}", d, d);
                }
                Add($"{p}{attention}.norm_q.weight", d);
                Add($"{p}{attention}.norm_k.weight", d);
            }
            if (config.CrossAttnNorm)
            {
                Add(p + "norm2.weight", d);
                Add(p + "norm2.bias", d);
            }
            Linear(p + "ffn.net.0.proj", config.FfnDim, d);
            Linear(p + "ffn.net.2", d, config.FfnDim);
        }
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Bytes the expert's weights take in BF16.</summary>
    public long Bytes => _tensors.Values.Sum(t => t.ByteLength);

    /// <inheritdoc/>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <inheritdoc/>
    public StoredTensor Get(string name) =>
        _tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Location}: no tensor '{name}'");

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }

    private void Linear(string prefix, int outputs, int inputs)
    {
        Add(prefix + ".weight", outputs, inputs);
        Add(prefix + ".bias", outputs);
    }

    private void Add(string name, params int[] shape)
    {
        _tensors.Add(name, new ShapeOnlyTensor(name, DType.BF16, new Shape(shape), Location));
        _names.Add(name);
    }
}
