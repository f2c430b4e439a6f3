using Wan.Kernels.Device;
using Wan.Testing;
using Wan.Kernels.Ops;
using Wan.Kernels.Tests.Emulated;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Gpu;

/// <summary>
/// The self-attention launch sequence of a DiT block (q/k norm + RoPE pre-pass, tensor-core
/// attention) captured into a CUDA graph on preallocated buffers and replayed: the replay must give
/// the bits of the direct launches, and capture alone must not run anything. Ignored without a GPU.
/// </summary>
[Category("Gpu")]
public sealed class AttentionGraphTests : GpuDeviceFixture
{
    [TestCase(ElementType.BF16, 128)]
    [TestCase(ElementType.F16, 64)]
    public void CapturedAttentionReplaysTheDirectLaunches(ElementType type, int headDim)
    {
        var random = NewRandom();
        int tokens = 1000 + random.Next(100), heads = 3, dim = heads * headDim, pairs = headDim / 2;
        using var q = DeviceArrays.Upload(Device, Uniform(random, tokens * dim), type);
        using var k = DeviceArrays.Upload(Device, Uniform(random, tokens * dim), type);
        using var v = DeviceArrays.Upload(Device, Uniform(random, tokens * dim), type);
        using var qNorm = DeviceArrays.Upload(Device, Uniform(random, dim), type);
        using var kNorm = DeviceArrays.Upload(Device, Uniform(random, dim), type);
        var angles = Uniform(random, tokens * pairs, -3f, 3f);
        // The RoPE tables are fp32 whatever the storage type (AttentionOps.Prepare checks it; the first GPU run caught
        // this test uploading them in the storage type).
        using var cos = DeviceArrays.Upload(Device, Array.ConvertAll(angles, MathF.Cos), ElementType.F32);
        using var sin = DeviceArrays.Upload(Device, Array.ConvertAll(angles, MathF.Sin), ElementType.F32);
        using var preparedQ = Device.Allocate((long)tokens * dim * type.Size());
        using var preparedK = Device.Allocate((long)tokens * dim * type.Size());
        using var direct = DeviceArrays.Poisoned(Device, (long)tokens * dim, type);
        using var replayed = DeviceArrays.Poisoned(Device, (long)tokens * dim, type);
        float scale = 1f / MathF.Sqrt(headDim);

        void Queue(DeviceBuffer output)
        {
            AttentionOps.Prepare(Device, type, q, qNorm, cos, sin, preparedQ, tokens, dim, headDim, 1e-6f);
            AttentionOps.Prepare(Device, type, k, kNorm, cos, sin, preparedK, tokens, dim, headDim, 1e-6f);
            AttentionOps.Attention(Device, type, preparedQ, preparedK, v, null, output, tokens, tokens, tokens, heads, headDim, scale);
        }

        Queue(direct); // also loads the modules: capture must not compile or load anything
        Device.Synchronize();
        using var graph = Device.Capture(() => Queue(replayed));
        Device.Synchronize();
        Assert.That(DeviceArrays.Download(Device, replayed, tokens * dim, type), Has.All.NaN, "capture must not run the work");
        graph.Launch();
        Device.Synchronize();
        var expected = DeviceArrays.Download(Device, direct, tokens * dim, type);
        Assert.That(expected, Has.None.NaN);
        Assert.That(DeviceArrays.Download(Device, replayed, tokens * dim, type), Is.EqualTo(expected));
    }
}
