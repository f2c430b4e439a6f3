using Wan.Runtime.Weights;

namespace Wan.Runtime.Planning;

/// <summary>
/// The text-encode and decode stages estimated from op counts (the CUDA backend declares no text-encoder
/// or VAE family yet, so the dry run cannot record them; once it does, these rows are recorded instead).
/// </summary>
internal static class ComponentEstimates
{
    /// <summary>umT5-XXL (google/umt5-xxl config.json): 24 layers, d_model 4096, d_ff 10240 (gated GELU), 64 heads × d_kv 64.</summary>
    private const double T5Layers = 24, T5Model = 4096, T5Ffn = 10240, T5Inner = 64 * 64;

    /// <summary>umT5-XXL encoder weights in BF16: 256,384 × 4096 embedding + 24 × (4 attention + 3 FFN matrices) ≈ 5.68 G parameters.</summary>
    public const long PresetT5Bytes = 2L * (256_384L * 4096 + 24L * (4 * 4096L * 4096 + 3 * 4096L * 10240));

    /// <summary>The Wan2.1 VAE in BF16: 127 M parameters (Wan2.1_VAE.pth).</summary>
    public const long PresetVaeBytes = 2L * 127_000_000;

    /// <summary>VAE decode FLOPs the CPU profiler counted for latent [16, 3, 32, 32] → 9 frames of 256 × 256 (docs/performance.md).</summary>
    private const double ProfiledDecodeFlops = 5.14e12, ProfiledDecodeValues = 9.0 * 256 * 256;

    /// <summary>Both prompts of 512 tokens (the worst case), each through the whole encoder.</summary>
    public static StagePlan TextEncode(GpuSpec gpu, long weightBytes, long residentBytes)
    {
        const double tokens = 512, prompts = 2;
        double perLayer = 2 * tokens * 4 * T5Model * T5Inner + 2 * tokens * 3 * T5Model * T5Ffn + 2 * 2 * tokens * tokens * T5Inner;
        double flops = prompts * T5Layers * perLayer;
        double matrixBytes = T5Layers * (4 * T5Model * T5Inner + 3 * T5Model * T5Ffn) * 2;
        double bytes = prompts * matrixBytes;
        // Activations: the residual, the two FFN halves and their product, and 64 heads' fp32 scores of one layer.
        long activations = (long)(tokens * (T5Model + 3 * T5Ffn) * 2 + 64 * tokens * tokens * 4);
        double seconds = prompts * gpu.FloorSeconds(flops / prompts, matrixBytes);
        return new StagePlan("text encode", "estimated", 0, checked(residentBytes + weightBytes + activations), null, null, flops, bytes, seconds, 0, 0);
    }

    /// <summary>
    /// VAE decode of the latent into <paramref name="frames"/> × <paramref name="height"/> × <paramref name="width"/>: FLOPs scaled
    /// from the profiled count by output values; time at the dense peak (convolutions are compute-bound); activations: six
    /// full-resolution 96-channel tensors of one 4-frame chunk (the last up-block with its causal cache).
    /// </summary>
    public static StagePlan Decode(GpuSpec gpu, int frames, int height, int width, long weightBytes, long residentBytes)
    {
        double flops = ProfiledDecodeFlops * ((double)frames * height * width / ProfiledDecodeValues);
        long activations = checked(6L * 96 * 4 * height * width * 2);
        return new StagePlan("decode", "estimated", 0, checked(residentBytes + weightBytes + activations), null, null, flops, null,
            flops / (gpu.DenseBf16Tflops * 1e12), 0, 0);
    }

    /// <summary>Bytes of every tensor in a component's safetensors (headers only), stored as BF16 on the GPU.</summary>
    public static long CheckpointBf16Bytes(string directory)
    {
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        return checked(checkpoint.Names.Sum(n => checkpoint.Get(n).ElementCount * 2));
    }
}
