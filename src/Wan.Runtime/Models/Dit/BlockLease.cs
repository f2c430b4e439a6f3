namespace Wan.Runtime.Models.Dit;

/// <summary>A block whose weights kernels may read until the lease is disposed (<see cref="BlockStreamer.Enter"/>; resident blocks need no streamer).</summary>
internal readonly struct BlockLease(WanTransformerBlock block, BlockStreamer? streamer, int slot) : IDisposable
{
    /// <summary>The block (views of a slot when streamed).</summary>
    public WanTransformerBlock Block { get; } = block;

    /// <summary>Marks the slot read up to the kernels queued so far.</summary>
    public void Dispose() => streamer?.MarkRead(slot);
}
