using Wan.Runtime.Backends;
using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// A linear layer of the DiT: weight [out, in] and bias [out] under their diffusers module name
/// (e.g. <c>blocks.0.attn1.to_q</c>), the name a LoRA targets. <see cref="Apply"/> consults the
/// request's active LoRA binding, so the loaded weights serve every style unchanged.
/// </summary>
internal sealed class DitLinear(string name, Tensor weight, Tensor bias) : IDisposable
{
    /// <summary>The diffusers module name.</summary>
    public string Name { get; } = name;

    public Tensor Weight { get; } = weight;
    public Tensor Bias { get; } = bias;

    public static DitLinear Load(WeightLoader w, string prefix, int outputs, int inputs) =>
        new(prefix, w.Load(prefix + ".weight", outputs, inputs), w.Load(prefix + ".bias", outputs));

    /// <summary>
    /// y = x·Wᵀ + b, or with <paramref name="adapters"/>: the merged weight/bias when the binding holds
    /// one (merged path, or a full delta), plus the low-rank update when it adapts this module (unmerged path).
    /// </summary>
    public Tensor Apply(IDitOps b, Tensor x, LoraBinding? adapters = null)
    {
        if (adapters is null)
        {
            return b.Linear(x, Weight, Bias);
        }
        var weight = adapters.Parameter(Name + ".weight", Weight);
        var bias = adapters.Parameter(Name + ".bias", Bias);
        return adapters.LowRank(Name) is { } factors
            ? b.LowRankLinear(x, weight, bias, factors.Down, factors.Up)
            : b.Linear(x, weight, bias);
    }

    /// <summary>The layer on a batch of <paramref name="samples"/> stacked samples (<see cref="IRoutingOps.LinearPerSample"/>).</summary>
    public Tensor ApplyPerSample(IRoutingOps b, Tensor x, int samples) => b.LinearPerSample(x, Weight, Bias, samples);

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
