using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Umt5;

/// <summary>
/// The umT5 text encoder of Wan2.2 (wan/modules/t5.py; transformers UMT5EncoderModel): token
/// embedding (not scaled), pre-norm layers with per-layer relative-position bias, final RMS norm.
/// Weights use the transformers names of <c>text_encoder/</c>; every one, the token embedding table included, is
/// loaded onto the backend (on the CPU a large table stays memory-mapped in its stored dtype).
/// </summary>
public sealed class Umt5Encoder : IDisposable
{
    private const string TokenEmbeddingName = "shared.weight";
    private const string FinalNormName = "encoder.final_layer_norm.weight";

    private readonly ITextEncoderOps _backend;
    private readonly Tensor _tokenEmbedding;
    private readonly Umt5Block[] _blocks;
    private readonly Tensor _finalNorm;

    private Umt5Encoder(ITextEncoderOps backend, Umt5Config config, Tensor tokenEmbedding, Umt5Block[] blocks, Tensor finalNorm)
    {
        _backend = backend;
        Config = config;
        _tokenEmbedding = tokenEmbedding;
        _blocks = blocks;
        _finalNorm = finalNorm;
    }

    /// <summary>The encoder's config.json.</summary>
    public Umt5Config Config { get; }
    /// <summary>The encoder layers, in order.</summary>
    public IReadOnlyList<Umt5Block> Blocks => _blocks;

    /// <summary>Reads <c>config.json</c> and the (possibly sharded) safetensors weights of a <c>text_encoder</c> directory.</summary>
    public static Umt5Encoder Load(ITextEncoderOps backend, string textEncoderDirectory)
    {
        if (!Directory.Exists(textEncoderDirectory))
        {
            throw new DirectoryNotFoundException($"{textEncoderDirectory}: umT5 text encoder directory not found");
        }
        var config = Umt5Config.Load(textEncoderDirectory);
        if (!backend.SupportsAttention(config.DKv))
        {
            throw new Wan.Errors.ConfigException(Path.Combine(textEncoderDirectory, "config.json"), "d_kv", $"{config.DKv} has no attention kernel on {backend.Name}");
        }
        return Load(backend, config, SafetensorsCheckpoint.Open(textEncoderDirectory));
    }

    /// <summary>
    /// The encoder of <paramref name="config"/> over any weight source, which it disposes once the weights are loaded
    /// (the planner's shape-only umT5-XXL, <c>Planning/ShapeOnlyUmt5Weights</c>).
    /// </summary>
    internal static Umt5Encoder Load(ITextEncoderOps backend, Umt5Config config, ITensorSource checkpoint)
    {
        using var source = checkpoint;
        var loader = new WeightLoader(backend, checkpoint, "umT5");
        try
        {
            // [vocab, d_model] in the backend's storage type: 2.1 GB for umT5-XXL in bf16 on a GPU (Embed gathers there).
            var tokenEmbedding = loader.Load(TokenEmbeddingName, config.VocabSize, config.DModel);
            var extraLayer = $"encoder.block.{config.NumLayers}.layer.0.layer_norm.weight";
            if (checkpoint.Contains(extraLayer))
            {
                throw new InvalidDataException($"{checkpoint.Location}: holds '{extraLayer}', more layers than num_layers = {config.NumLayers} in config.json");
            }
            var blocks = new Umt5Block[config.NumLayers];
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = Umt5Block.Load(backend, loader, config, i);
            }
            var finalNorm = loader.Load(FinalNormName, config.DModel);
            return new Umt5Encoder(backend, config, tokenEmbedding, blocks, finalNorm);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    /// <summary>Encodes the valid token ids (eos included) → [L, d_model], the Wan text context.</summary>
    /// <remarks>
    /// The pipeline pads to 512 ids and masks the padded keys; the valid rows of that run equal this
    /// unpadded run (padding is only ever a masked key), so no padding is done here.
    /// </remarks>
    public Tensor Encode(ReadOnlySpan<int> ids) => Encode(ids, ids.Length);

    /// <summary>
    /// Encodes ids of which only the first <paramref name="validTokens"/> are real: later keys are
    /// masked out, every position still gets an output row → [ids.Length, d_model].
    /// </summary>
    public Tensor Encode(ReadOnlySpan<int> ids, int validTokens)
    {
        if (validTokens < 1 || validTokens > ids.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(validTokens), $"umT5 encode: {validTokens} valid tokens of {ids.Length} ids (need 1..{ids.Length})");
        }
        using var x = Embed(ids);
        return EncodeEmbedded(x, validTokens);
    }

    /// <summary>
    /// The layers and the final norm over embedded rows <paramref name="x"/> [L, d_model] (updated in place; the caller
    /// keeps owning it) → a new [L, d_model]. The planner's preset enters here with zero rows copied from the host
    /// (Planning/DryRunComponents).
    /// </summary>
    internal Tensor EncodeEmbedded(Tensor x, int validTokens)
    {
        int length = x.Shape[0];
        // The buckets depend only on the length: once per sequence, every layer then gathers its own table.
        var buckets = RelativePositionBuckets.ForOffsets(length, length, Config.RelativeAttentionNumBuckets, Config.RelativeAttentionMaxDistance);
        foreach (var block in _blocks)
        {
            using var bias = block.PositionBias(buckets, length, length);
            block.ForwardInPlace(x, bias, validTokens, ClampFp16);
        }
        return FinalNorm(x);
    }

    /// <summary>
    /// Whether the residual adds apply the reference's fp16 overflow clamp (default true; only fp16 storage is
    /// affected). False exists for the tests that show an encoder overflowing without it.
    /// </summary>
    internal bool ClampFp16 { get; set; } = true;

    /// <summary>
    /// Token embedding rows [ids.Length, d_model] in the backend's storage type, gathered by the backend from the loaded
    /// table (<see cref="ITextEncoderOps.Embedding"/>: on CUDA the ids go to the device as int32 and one kernel gathers,
    /// kernels/cuda/gather.cu). Not scaled, as in the reference (wan/modules/t5.py, <c>T5Encoder.forward</c>).
    /// </summary>
    /// <exception cref="ArgumentException">no ids.</exception>
    /// <exception cref="ArgumentOutOfRangeException">an id lies outside [0, vocab_size): checked here, before anything runs
    /// on the backend; the message names the id, its position and the vocabulary size.</exception>
    public Tensor Embed(ReadOnlySpan<int> ids)
    {
        if (ids.IsEmpty)
        {
            throw new ArgumentException("umT5 encode: no token ids (a tokenized prompt holds at least the eos id)", nameof(ids));
        }
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)Config.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"umT5 encode: token id {ids[i]} at position {i} is outside the vocabulary of {Config.VocabSize}");
            }
        }
        return _backend.Embedding(_tokenEmbedding, ids);
    }

    /// <summary>The final RMS norm (<c>encoder.final_layer_norm</c>) of the residual stream.</summary>
    public Tensor FinalNorm(Tensor x) => _backend.RmsNorm(x, _finalNorm, Config.LayerNormEpsilon);

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            block.Dispose();
        }
        _finalNorm.Dispose();
        _tokenEmbedding.Dispose();
    }
}
