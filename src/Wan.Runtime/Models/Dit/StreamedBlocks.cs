using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// The transformer blocks of one streamed DiT expert (<c>EngineOptions.ExpertResidency = Streamed</c>): never resident
/// as a whole, each block is converted from the memory-mapped checkpoint into staging memory and uploaded into one of
/// the two block slots of a <see cref="BlockStreamer"/> when a forward reaches it. Every block lays its tensors out
/// the same way (in load order, 256-byte aligned), so for each slot and block there is a
/// <see cref="WanTransformerBlock"/> whose tensors are views at fixed offsets of that slot
/// (<see cref="CudaBackend.View"/>): it computes with whatever block the slot holds. Every weight is checked (name,
/// shape, float dtype) when the expert opens, as a resident load does.
/// </summary>
internal sealed class StreamedBlocks : IDisposable
{
    private const long Alignment = 256; // cudaMalloc's: kernels may rely on it for vector loads

    private readonly CudaBackend _backend;
    private readonly ITensorSource _checkpoint; // kept open: every upload reads the blocks from its mapping
    private readonly List<Placement>[] _placements;      // per block: where each of its tensors goes in a slot
    private readonly WanTransformerBlock[][] _views;     // [slot][block]

    /// <summary>Lays out the blocks of <paramref name="checkpoint"/> (a mapped checkpoint, or shape-only weights for a dry run; it then owns it) and attaches to <paramref name="streamer"/>, or to a new one sized for them.</summary>
    /// <exception cref="InvalidDataException">a block weight is missing or has the wrong shape or dtype.</exception>
    /// <exception cref="InvalidOperationException">a shared streamer's slots are smaller than these blocks.</exception>
    public StreamedBlocks(CudaBackend backend, DitConfig config, ITensorSource checkpoint, BlockStreamer? streamer)
    {
        _backend = backend;
        _checkpoint = checkpoint;
        _placements = [.. Enumerable.Range(0, config.Layers).Select(_ => new List<Placement>())];
        long slotBytes = Enumerable.Range(0, config.Layers).Max(i => SlotBytesOf(checkpoint, i, backend.Storage));
        Streamer = streamer ?? new BlockStreamer(backend, slotBytes);
        Streamer.Attach(slotBytes);
        try
        {
            _views = [Views(config, 0, record: true), Views(config, 1, record: false)];
        }
        catch
        {
            Streamer.Detach();
            throw;
        }
    }

    /// <summary>The double buffer the blocks stream through (shared by the experts of one model).</summary>
    public BlockStreamer Streamer { get; }

    /// <summary>Number of blocks.</summary>
    public int Count => _placements.Length;

    /// <summary>Bytes one block uploads (its tensors in storage dtype, with alignment gaps).</summary>
    public long BlockBytes(int block) => _placements[block].Count == 0 ? 0 : _placements[block][^1].End;

    /// <summary>The block that computes with the contents of <paramref name="slot"/>.</summary>
    public WanTransformerBlock View(int slot, int block) => _views[slot][block];

    /// <summary>Block 0's views on slot 0: the linears' names and shapes, for LoRA binding (their values are whatever slot 0 holds).</summary>
    public IEnumerable<WanTransformerBlock> Shapes => _views[0];

    /// <summary>
    /// Writes block <paramref name="block"/> into <paramref name="staging"/> in storage dtype — the conversion of
    /// <c>CudaBackend.LoadWeight</c> (<see cref="StoredTensor.ToFloatArray"/>, then <see cref="DTypeCodec.Encode"/>),
    /// so the streamed bytes equal the resident ones — and returns the bytes to upload. Staging that stores nothing
    /// (a dry run) is left as it is.
    /// </summary>
    public long Fill(int block, Span<byte> staging)
    {
        if (!staging.IsEmpty)
        {
            foreach (var p in _placements[block])
            {
                DTypeCodec.Encode(p.Source.ToFloatArray(), _backend.Storage, staging.Slice(checked((int)p.Offset), checked((int)p.Bytes)));
            }
        }
        return BlockBytes(block);
    }

    /// <summary>An upper bound of a block's slot bytes: every checkpoint tensor under its prefix, aligned, in storage dtype.</summary>
    private static long SlotBytesOf(ITensorSource checkpoint, int block, DType storage)
    {
        var prefix = $"blocks.{block}.";
        return checkpoint.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Aggregate(0L, (sum, n) => checked(sum + Align(checked(checkpoint.Get(n).ElementCount * storage.SizeOf()))));
    }

    private static long Align(long bytes) => checked((bytes + Alignment - 1) / Alignment * Alignment);

    /// <summary>Every block as views of <paramref name="slot"/>; with <paramref name="record"/>, remembers where each tensor goes.</summary>
    private WanTransformerBlock[] Views(DitConfig config, int slot, bool record)
    {
        var blocks = new List<WanTransformerBlock>(config.Layers);
        try
        {
            for (int i = 0; i < config.Layers; i++)
            {
                long cursor = 0;
                int block = i;
                var loader = new WeightLoader(_backend, _checkpoint, "DiT")
                {
                    Place = stored =>
                    {
                        long bytes = checked(stored.ElementCount * _backend.Storage.SizeOf());
                        var view = _backend.View(Streamer.Slot(slot), cursor, stored.Shape);
                        if (record)
                        {
                            _placements[block].Add(new Placement(stored, cursor, bytes));
                        }
                        cursor = Align(checked(cursor + bytes));
                        return view;
                    },
                };
                blocks.Add(new WanTransformerBlock(loader, config, i));
            }
            return [.. blocks];
        }
        catch
        {
            blocks.ForEach(b => b.Dispose());
            throw;
        }
    }

    /// <summary>Frees the views, detaches from the streamer (the last expert frees its slots) and closes the checkpoint.</summary>
    public void Dispose()
    {
        foreach (var block in _views.SelectMany(v => v))
        {
            block.Dispose();
        }
        Streamer.Detach();
        _checkpoint.Dispose();
    }

    /// <summary>One tensor of a block: its source in the checkpoint and its bytes [Offset, End) in a slot.</summary>
    private sealed record Placement(StoredTensor Source, long Offset, long Bytes)
    {
        public long End => Offset + Bytes;
    }
}
