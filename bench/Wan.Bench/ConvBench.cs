using BenchmarkDotNet.Attributes;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Bench;

/// <summary>
/// The VAE decoder's convolutions (im2col + sgemm): a causal 3x3x3 Conv3d and a per-frame 3x3
/// Conv2d at a 96-channel, 2-frame, 64x64 stage of the 256x256 decode.
/// </summary>
[Config(typeof(BenchConfig))]
public class ConvBench : IWorkload
{
    private const int Channels = 96, Frames = 2, Size = 64;
    private CpuBackend _b = null!;
    private Tensor _x = null!, _w3 = null!, _w2 = null!, _bias = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(6);
        _b = new CpuBackend();
        _x = BenchData.Tensor(_b, r, Channels, Frames, Size, Size);
        _w3 = BenchData.Tensor(_b, r, Channels, Channels, 3, 3, 3);
        _w2 = BenchData.Tensor(_b, r, Channels, Channels, 3, 3);
        _bias = BenchData.Tensor(_b, r, Channels);
    }

    [Benchmark]
    public Tensor CausalConv3d() => _b.Conv3d(_x, _w3, _bias, Conv3dSpec.Causal(2, 3, 3));

    [Benchmark]
    public Tensor Conv2dFrames() => _b.Conv2dFrames(_x, _w2, _bias, Conv2dSpec.Same(1));

    public (double Amount, string Unit) Work(string method)
    {
        double outputs = (double)Channels * Frames * Size * Size;
        int taps = method == nameof(CausalConv3d) ? 27 : 9;
        return (2.0 * outputs * Channels * taps / 1e9, "GFLOP");
    }
}
