using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>A linear layer's weight [out, in] and bias [out].</summary>
internal sealed class DitLinear(Tensor weight, Tensor bias) : IDisposable
{
    public Tensor Weight { get; } = weight;
    public Tensor Bias { get; } = bias;

    public static DitLinear Load(WeightLoader w, string prefix, int outputs, int inputs) =>
        new(w.Load(prefix + ".weight", outputs, inputs), w.Load(prefix + ".bias", outputs));

    public Tensor Apply(IBackend b, Tensor x) => b.Linear(x, Weight, Bias);

    /// <summary>The layer on a batch of <paramref name="samples"/> stacked samples (<see cref="IRoutingOps.LinearPerSample"/>).</summary>
    public Tensor ApplyPerSample(IRoutingOps b, Tensor x, int samples) => b.LinearPerSample(x, Weight, Bias, samples);

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
