using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// A hook into <see cref="WanTransformer.Forward(Tensor, Tensor, DitTextContext, int?, CancellationToken, IBlockResidualCache?, int?)"/>
/// that lets step caching (TeaCache, Pipeline/Caching) skip the transformer blocks of a forward by adding the
/// residual (blocks' output − input) of an earlier forward instead; patch embedding, time embedding and head
/// always run. One instance serves one sequence of forwards (one expert, one guidance branch).
/// </summary>
public interface IBlockResidualCache
{
    /// <summary>
    /// Called before the blocks with their input <paramref name="blockInput"/> [L, D], the time embedding
    /// <paramref name="timeEmbedding"/> (e, [1, D]) and its projection <paramref name="timeProjection"/> (e0, [6, D]).
    /// Returns true after adding a cached residual to <paramref name="blockInput"/> in place: the blocks are then
    /// skipped; false lets them run, followed by <see cref="Store"/>.
    /// </summary>
    bool TryReuse(IDitOps backend, Tensor blockInput, Tensor timeEmbedding, Tensor timeProjection);

    /// <summary>Called after the blocks ran with their output [L, D] (the tensor <see cref="TryReuse"/> saw as input, updated in place).</summary>
    void Store(IDitOps backend, Tensor blockOutput);
}
