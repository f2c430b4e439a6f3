using Wan.Runtime.Config;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Lora;

/// <summary>
/// The diffusers parameter names and shapes of a Wan DiT expert (WanTransformer3DModel) for a config:
/// what a LoRA may target. Linears are [out, in] weights with [out] biases.
/// </summary>
internal sealed class DitParameterShapes
{
    private readonly Dictionary<string, Shape> _shapes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _linears = new(StringComparer.Ordinal);

    public DitParameterShapes(DitConfig c)
    {
        Layers = c.Layers;
        int d = c.Dim;
        Linear("condition_embedder.time_embedder.linear_1", d, c.FreqDim);
        Linear("condition_embedder.time_embedder.linear_2", d, d);
        Linear("condition_embedder.time_proj", 6 * d, d);
        Linear("condition_embedder.text_embedder.linear_1", d, c.TextDim);
        Linear("condition_embedder.text_embedder.linear_2", d, d);
        Linear("proj_out", c.OutChannels * c.Patch.T * c.Patch.H * c.Patch.W, d);
        _shapes["patch_embedding.weight"] = new Shape(d, c.InChannels, c.Patch.T, c.Patch.H, c.Patch.W);
        _shapes["patch_embedding.bias"] = new Shape(d);
        _shapes["scale_shift_table"] = new Shape(1, 2, d);
        for (int i = 0; i < c.Layers; i++)
        {
            var p = $"blocks.{i}.";
            foreach (var attn in new[] { "attn1", "attn2" })
            {
                foreach (var proj in new[] { "to_q", "to_k", "to_v", "to_out.0" })
                {
                    Linear($"{p}{attn}.{proj}", d, d);
                }
                _shapes[$"{p}{attn}.norm_q.weight"] = new Shape(d);
                _shapes[$"{p}{attn}.norm_k.weight"] = new Shape(d);
            }
            Linear(p + "ffn.net.0.proj", c.FfnDim, d);
            Linear(p + "ffn.net.2", d, c.FfnDim);
            if (c.CrossAttnNorm)
            {
                _shapes[p + "norm2.weight"] = new Shape(d);
                _shapes[p + "norm2.bias"] = new Shape(d);
            }
            _shapes[p + "scale_shift_table"] = new Shape(1, 6, d);
        }
    }

    /// <summary>Number of blocks.</summary>
    public int Layers { get; }

    /// <summary>(out, in) of a linear module, or null when the module is not a linear of this DiT.</summary>
    public (int Out, int In)? LinearShape(string module) =>
        _linears.Contains(module) ? (_shapes[module + ".weight"][0], _shapes[module + ".weight"][1]) : null;

    /// <summary>The shape of a parameter, or null when this DiT has no such parameter.</summary>
    public Shape? ParameterShape(string name) => _shapes.TryGetValue(name, out var s) ? s : null;

    /// <summary>Whether a full delta of this parameter can be applied: linear weights and biases, norm gammas and betas.</summary>
    public static bool DeltaSupported(string parameter) =>
        !parameter.EndsWith("scale_shift_table", StringComparison.Ordinal) && !parameter.StartsWith("patch_embedding", StringComparison.Ordinal);

    private void Linear(string module, int outputs, int inputs)
    {
        _linears.Add(module);
        _shapes[module + ".weight"] = new Shape(outputs, inputs);
        _shapes[module + ".bias"] = new Shape(outputs);
    }
}
