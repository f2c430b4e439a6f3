using BenchmarkDotNet.Attributes;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Bench;

/// <summary>
/// Data-movement ops: the DiT's patchify (gather + GEMM) and unpatchify on the 768-token latent,
/// the VAE's pixel/row transposes and nearest upsampling on a 96-channel 64x64 stage.
/// </summary>
[Config(typeof(BenchConfig))]
public class LayoutBench : IWorkload
{
    private const int Dim = 1536, LatentChannels = 16, Channels = 96, Frames = 2, Size = 64;
    private CpuBackend _b = null!;
    private Tensor _latent = null!, _patchWeight = null!, _patchBias = null!, _tokens = null!, _video = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(7);
        _b = new CpuBackend();
        _latent = BenchData.Tensor(_b, r, LatentChannels, 3, 32, 32);
        _patchWeight = BenchData.Tensor(_b, r, Dim, LatentChannels, 1, 2, 2);
        _patchBias = BenchData.Tensor(_b, r, Dim);
        _tokens = BenchData.Tensor(_b, r, 768, 4 * LatentChannels);
        _video = BenchData.Tensor(_b, r, Channels, Frames, Size, Size);
    }

    [Benchmark]
    public Tensor Patchify() => _b.Patchify(_latent, _patchWeight, _patchBias, (1, 2, 2));

    [Benchmark]
    public Tensor Unpatchify() => _b.Unpatchify(_tokens, LatentChannels, (3, 16, 16), (1, 2, 2));

    [Benchmark]
    public Tensor PixelsToRows() => _b.PixelsToRows(_video);

    [Benchmark]
    public Tensor UpsampleNearest2x() => _b.UpsampleNearest2x(_video);

    /// <summary>Patchify counts its GEMM; the others bytes read + written.</summary>
    public (double Amount, string Unit) Work(string method) => method switch
    {
        nameof(Patchify) => (2.0 * 768 * Dim * 4 * LatentChannels / 1e9, "GFLOP"),
        nameof(Unpatchify) => (2.0 * 768 * 4 * LatentChannels * sizeof(float) / 1e9, "GB"),
        nameof(UpsampleNearest2x) => (5.0 * Channels * Frames * Size * Size * sizeof(float) / 1e9, "GB"),
        _ => (2.0 * Channels * Frames * Size * Size * sizeof(float) / 1e9, "GB"),
    };
}
