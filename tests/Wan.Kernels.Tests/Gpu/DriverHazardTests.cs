using Wan.Kernels.Device;
using Wan.Testing;

namespace Wan.Kernels.Tests.Gpu;

/// <summary>
/// The driver-layer hazards of <see cref="CudaDevice"/> on a real GPU: the stream is non-blocking, a
/// capture serialises the device (another thread's launch, GEMM, copy or wait is refused and nothing of
/// it lands in the graph), device memory freed by another thread during a capture is freed when it
/// ends, and a captured GEMM (cuBLAS with its explicit workspace) replays. The emulated device's twins
/// are in Emulated/DeviceCaptureTests. Ignored (with the reason) without a GPU.
/// </summary>
[Category("Gpu")]
public sealed unsafe class DriverHazardTests() : GpuDeviceFixture(testKernels: true)
{
    [Test]
    public void TheStreamIsNonBlocking() => Assert.That(Device.StreamFlags, Is.EqualTo(1u), "CU_STREAM_NON_BLOCKING");

    [TestCase("launch")]
    [TestCase("GEMM")]
    [TestCase("copy to host")]
    [TestCase("synchronize")]
    public void AnotherThreadsOperationDuringACaptureIsRefused(string operation)
    {
        using var a = Device.Allocate(64);
        Device.Memset(a, 0);
        using var b = Device.Allocate(64);
        Action use = operation switch
        {
            "launch" => () => Trap(b, trap: false),
            "GEMM" => () => Device.Gemm(new GemmDesc(false, false, 2, 2, 2, 1f, a.Address, 2, 0, a.Address, 2, 0, 0f, b.Address, 2, 0, 1, GemmType.F32, GemmType.F32)),
            "copy to host" => () => Device.CopyToHost(a, 0, new byte[16]),
            _ => Device.Synchronize,
        };
        Exception? seen = null;
        using var graph = Device.Capture(() =>
        {
            var other = new Thread(() =>
            {
                try
                {
                    use();
                }
                catch (Exception e)
                {
                    seen = e;
                }
            });
            other.Start();
            other.Join();
        });
        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.TypeOf<CaptureInProgressException>());
            Assert.That((graph.Kernels, graph.Gemms), Is.EqualTo((0, 0)), "nothing of the other thread was recorded");
        });
        Assert.DoesNotThrow(() => use());
    }

    [Test]
    public void MemoryFreedByAnotherThreadDuringACaptureIsFreedWhenItEnds()
    {
        var early = Device.Allocate(1 << 20);
        int deferredInside = -1;
        using var graph = Device.Capture(() =>
        {
            var other = new Thread(early.Dispose);
            other.Start();
            other.Join();
            deferredInside = Device.DeferredFrees;
        });
        Assert.Multiple(() =>
        {
            Assert.That(deferredInside, Is.EqualTo(1));
            Assert.That(Device.DeferredFrees, Is.Zero);
        });
        Device.Synchronize(); // the capture stayed valid: no cuMemFree ran inside it
    }

    [Test]
    public void ACapturedGemmReplaysWithTheExplicitWorkspace()
    {
        var random = new Random();
        const int m = 67, n = 45, k = 129;
        var av = Enumerable.Range(0, m * k).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var bv = Enumerable.Range(0, k * n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        using var a = Upload(av);
        using var b = Upload(bv);
        using var c = Device.Allocate(4L * m * n);
        Device.Memset(c, 0xFF);
        using var graph = Device.Capture(() => Device.Gemm(new GemmDesc(false, false, m, n, k, 1f, a.Address, k, 0, b.Address, n, 0, 0f, c.Address, n, 0, 1, GemmType.F32, GemmType.F32)));
        graph.Launch();
        var result = new float[m * n];
        Device.CopyToHost(c, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
        double num = 0, den = 0;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)av[i * k + p] * bv[p * n + j];
                }
                num += (result[i * n + j] - s) * (result[i * n + j] - s);
                den += s * s;
            }
        }
        Assert.That(Math.Sqrt(num / den), Is.LessThan(1e-5));
    }

    private DeviceBuffer Upload(float[] values)
    {
        var buffer = Device.Allocate(4L * values.Length);
        Device.CopyToDevice(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), buffer);
        return buffer;
    }

    private void Trap(DeviceBuffer output, bool trap)
    {
        ulong po = output.Address;
        int flag = trap ? 1 : 0;
        void** args = stackalloc void*[] { &po, &flag };
        Device.Launch("probe_trap", new Dim3(1), new Dim3(16), 0, args);
    }
}
