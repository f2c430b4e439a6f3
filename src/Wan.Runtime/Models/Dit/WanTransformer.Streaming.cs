using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Dit;

public sealed partial class WanTransformer
{
    private StreamedBlocks? _streamed;

    /// <summary>
    /// Loads an expert whose transformer blocks stream (<c>EngineOptions.ExpertResidency = Streamed</c>): the weights
    /// outside the blocks are resident; every block is checked now and uploaded from the memory-mapped checkpoint
    /// into one of <paramref name="shareWith"/>'s two block slots (a new streamer when null) each time a forward,
    /// batched forward or <see cref="PrepareText"/> reaches it, double-buffered (<see cref="BlockStreamer"/>). The
    /// numbers equal a resident expert's bit for bit: the same conversion writes the same bytes. Streamed forwards
    /// are not graph-captured.
    /// </summary>
    /// <exception cref="NotSupportedException">the backend is not a CUDA backend over a device with a copy stream.</exception>
    /// <exception cref="InvalidDataException">a weight is missing or has the wrong shape or dtype.</exception>
    /// <exception cref="Wan.Errors.ConfigException">the config cannot run, or the backend has no attention kernel for its head width.</exception>
    internal static WanTransformer LoadStreamed(IDitOps backend, string directory, BlockStreamer? shareWith)
    {
        var config = DitConfig.Load(Path.Combine(directory, "config.json"));
        if (!backend.SupportsAttention(config.HeadDim))
        {
            throw new Wan.Errors.ConfigException(Path.Combine(directory, "config.json"), "attention_head_dim", $"{config.HeadDim} has no attention kernel on {backend.Name}");
        }
        return LoadStreamed(backend, config, SafetensorsCheckpoint.Open(directory), shareWith, source => LoadWeights(backend, config, directory, blocks: false), directory);
    }

    /// <summary>
    /// <see cref="LoadStreamed(IDitOps, string, BlockStreamer?)"/> from any tensor source, which the expert then owns
    /// (shape-only weights: <c>wan plan</c> records the streamed stage on a dry-run device).
    /// </summary>
    /// <exception cref="NotSupportedException">the backend is not a CUDA backend over a device with a copy stream.</exception>
    /// <exception cref="InvalidDataException">a weight is missing or has the wrong shape or dtype.</exception>
    internal static WanTransformer LoadStreamed(IDitOps backend, DitConfig config, ITensorSource weights, BlockStreamer? shareWith) =>
        LoadStreamed(backend, config, weights, shareWith, source =>
        {
            var loader = new WeightLoader(backend, source, "DiT");
            try
            {
                return new DitWeights(loader, config, blocks: false);
            }
            catch
            {
                loader.Dispose();
                throw;
            }
        }, null);

    private static WanTransformer LoadStreamed(IDitOps backend, DitConfig config, ITensorSource source, BlockStreamer? shareWith,
        Func<ITensorSource, DitWeights> resident, string? directory)
    {
        StreamedBlocks blocks;
        try
        {
            var cuda = backend as CudaBackend ?? throw new NotSupportedException($"streamed DiT blocks need a CUDA backend, not {backend.Name}");
            blocks = new StreamedBlocks(cuda, config, source, shareWith);
        }
        catch
        {
            source.Dispose();
            throw;
        }
        try
        {
            return new WanTransformer(backend, config, resident(source), directory) { _streamed = blocks };
        }
        catch
        {
            blocks.Dispose();
            throw;
        }
    }

    /// <summary>Whether the blocks stream through device slots per forward (<see cref="LoadStreamed(IDitOps, string, BlockStreamer?)"/>) instead of staying resident.</summary>
    public bool IsStreamed => _streamed is not null;

    /// <summary>The double buffer a streamed expert's blocks go through (shared by the experts of one model), or null when resident.</summary>
    internal BlockStreamer? Streamer => _streamed?.Streamer;

    /// <summary>The streamed blocks (their layout and slot views), or null when resident.</summary>
    internal StreamedBlocks? StreamedBlocks => _streamed;

    /// <summary>
    /// The expert that runs the forward after this one's (the same by default; the pipeline sets the next step's): while
    /// this expert's last block computes, block 0 of that expert is prefetched when both stream through the same slots
    /// (a text preparation always prefetches its own expert's). A wrong guess costs an unhidden upload, never a wrong weight.
    /// </summary>
    internal WanTransformer? StreamNext { get; set; }

    /// <summary>
    /// Block <paramref name="index"/> ready to compute: resident, or streamed into a slot with the next block queued
    /// behind it — after the last block, block 0 of <see cref="StreamNext"/>'s next forward, or of this expert's own
    /// when <paramref name="forwardFollows"/> (a text preparation is followed by this expert's forward).
    /// </summary>
    private BlockLease EnterBlock(int index, bool forwardFollows = false)
    {
        if (_streamed is not { } blocks)
        {
            return new BlockLease(W.Blocks[index], null, 0);
        }
        var next = !forwardFollows && StreamNext?._streamed is { } other && ReferenceEquals(other.Streamer, blocks.Streamer) ? other : blocks;
        return blocks.Streamer.Enter(blocks, index, index + 1 < blocks.Count ? (blocks, index + 1) : (next, 0));
    }
}
