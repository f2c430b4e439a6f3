using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// A prompt prepared for one DiT expert: the cross-attention keys and values of every block,
/// computed once per generation and reused at every denoising step (the text KV cache).
/// </summary>
public sealed class DitTextContext : IDisposable
{
    internal DitTextContext(WanTransformer owner, IReadOnlyList<(Tensor Keys, Tensor Values)> perBlock, LoraBinding? adapters)
    {
        Owner = owner;
        PerBlock = perBlock;
        Adapters = adapters;
    }

    /// <summary>The LoRA binding the context was prepared with (its forwards use it); null for the base weights. Not owned.</summary>
    public LoraBinding? Adapters { get; }

    internal WanTransformer Owner { get; }
    internal IReadOnlyList<(Tensor Keys, Tensor Values)> PerBlock { get; }

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose()
    {
        foreach (var (k, v) in PerBlock)
        {
            k.Dispose();
            v.Dispose();
        }
    }
}
