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

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
