using System.Runtime.InteropServices;
using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// <see cref="IDevice.Capture"/> on the emulated device, which follows CUDA's stream-capture rules:
/// nothing runs at capture, replays run the recorded launches and GEMMs on the buffers' current
/// contents with the argument values of capture time, memory allocated inside belongs to the graph
/// (a buffer freed inside is reused inside), and host copies, memsets and waits are refused. A capture
/// serialises the device: other threads' operations are refused, and memory they (or finalizers) free
/// is freed when the capture ends.
/// Each test captures on its own device (captures are one at a time per device).
/// </summary>
[Category("Emulated")]
public sealed class DeviceCaptureTests
{
    private EmulatedDevice? _device;

    private EmulatedDevice Device => _device ?? throw new InvalidOperationException("device not opened");

    [SetUp]
    public void Open() => _device = new EmulatedDevice();

    [TearDown]
    public void Close() => _device?.Dispose();

    [Test]
    public void CaptureRunsNothingAndReplaysUseTheCurrentInputs()
    {
        var random = NewRandom();
        int n = 2001 + random.Next(700);
        var a = Uniform(random, n);
        var b = Uniform(random, n);
        using var da = DeviceArrays.Upload(Device, a, ElementType.F32);
        using var db = DeviceArrays.Upload(Device, b, ElementType.F32);
        DeviceBuffer? sum = null;
        using var graph = Device.Capture(() =>
        {
            sum = Device.Allocate(4L * n);
            ElementwiseOps.Add(Device, ElementType.F32, da, db, sum, n);
        });
        using var output = sum!;
        Assert.Multiple(() =>
        {
            Assert.That(DeviceArrays.Download(Device, output, n, ElementType.F32), Has.All.NaN, "capture must not run the launch");
            Assert.That((graph.Kernels, graph.Gemms), Is.EqualTo((1, 0)));
        });

        graph.Launch();
        Assert.That(DeviceArrays.Download(Device, output, n, ElementType.F32), Is.EqualTo(a.Zip(b, (x, y) => x + y).ToArray()));

        var a2 = Uniform(random, n);
        Device.CopyToDevice(MemoryMarshal.AsBytes(a2.AsSpan()), da);
        Device.Memset(output, 0xFF);
        graph.Launch();
        Assert.That(DeviceArrays.Download(Device, output, n, ElementType.F32), Is.EqualTo(a2.Zip(b, (x, y) => x + y).ToArray()),
            "a replay reads the inputs' contents at replay time");
    }

    [Test]
    public void MemoryFreedInsideACaptureIsReusedInsideIt()
    {
        var random = NewRandom();
        int n = 1500 + random.Next(600);
        var a = Uniform(random, n);
        var b = Uniform(random, n);
        using var da = DeviceArrays.Upload(Device, a, ElementType.F32);
        using var db = DeviceArrays.Upload(Device, b, ElementType.F32);
        DeviceBuffer? result = null;
        ulong temporary = 0, reused = 0;
        using var graph = Device.Capture(() =>
        {
            using var t = Device.Allocate(4L * n);
            using var product = Device.Allocate(4L * n);
            ElementwiseOps.Add(Device, ElementType.F32, da, db, t, n);
            ElementwiseOps.Mul(Device, ElementType.F32, t, db, product, n);
            temporary = t.Address;
            t.Dispose();
            result = Device.Allocate(4L * n - 8);
            reused = result.Address;
            ElementwiseOps.Add(Device, ElementType.F32, product, da, result, n - 2);
        });
        using var output = result!;
        graph.Launch();
        var expected = Enumerable.Range(0, n - 2).Select(i => (a[i] + b[i]) * b[i] + a[i]).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(reused, Is.EqualTo(temporary), "the freed temporary's block serves the later, smaller allocation");
            Assert.That(graph.OwnedBytes, Is.EqualTo(2 * 4L * n), "two blocks: the temporary's and the product's");
            Assert.That(DeviceArrays.Download(Device, output, n - 2, ElementType.F32), Is.EqualTo(expected));
        });
    }

    [Test]
    public void ReplayedGemmMatchesANaiveProduct()
    {
        var random = NewRandom();
        int m = 37 + random.Next(20), n = 29 + random.Next(20), k = 53 + random.Next(20);
        var a = Uniform(random, m * k);
        var b = Uniform(random, k * n);
        using var da = DeviceArrays.Upload(Device, a, ElementType.F32);
        using var db = DeviceArrays.Upload(Device, b, ElementType.F32);
        using var dc = DeviceArrays.Poisoned(Device, m * n, ElementType.F32);
        using var graph = Device.Capture(() => Device.Gemm(new GemmDesc(false, false, m, n, k, 1f,
            da.Address, k, 0, db.Address, n, 0, 0f, dc.Address, n, 0, 1, GemmType.F32, GemmType.F32)));
        Assert.That(DeviceArrays.Download(Device, dc, m * n, ElementType.F32), Has.All.NaN, "capture must not run the GEMM");
        graph.Launch();
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[i * k + p] * b[p * n + j];
                }
                expected[i * n + j] = (float)s;
            }
        }
        Assert.That(graph.Gemms, Is.EqualTo(1));
        AssertClose(DeviceArrays.Download(Device, dc, m * n, ElementType.F32), expected, 1e-6, "replayed GEMM");
    }

    [Test]
    public void ABufferFromBeforeTheCaptureFreedInsideItLivesUntilTheGraphIsDisposed()
    {
        var random = NewRandom();
        int n = 700 + random.Next(300);
        var a = Uniform(random, n);
        using var da = DeviceArrays.Upload(Device, a, ElementType.F32);
        var early = Device.Allocate(4L * n);
        DeviceBuffer? result = null;
        var graph = Device.Capture(() =>
        {
            ElementwiseOps.Add(Device, ElementType.F32, da, da, early, n);
            early.Dispose();
            result = Device.Allocate(4L * n);
            ElementwiseOps.Mul(Device, ElementType.F32, early, da, result, n);
        });
        using var output = result!;
        Assert.That(graph.OwnedBytes, Is.EqualTo(2 * 4L * n), "the graph holds the early buffer and its own");
        graph.Launch();
        Assert.That(DeviceArrays.Download(Device, output, n, ElementType.F32), Is.EqualTo(a.Select(x => (x + x) * x).ToArray()));
        graph.Dispose();
        Assert.Throws<ObjectDisposedException>(() => DeviceArrays.Download(Device, early, 1, ElementType.F32), "freed with the graph");
    }

    [TestCase("copy to device")]
    [TestCase("copy to host")]
    [TestCase("memset")]
    [TestCase("synchronize")]
    public void HostCopiesMemsetsAndWaitsAreRefusedWhileCapturing(string operation)
    {
        using var buffer = DeviceArrays.Upload(Device, [1f, 2f, 3f], ElementType.F32);
        Action forbidden = operation switch
        {
            "copy to device" => () => Device.CopyToDevice(new byte[4], buffer),
            "copy to host" => () => Device.CopyToHost(buffer, 0, new byte[4]),
            "memset" => () => Device.Memset(buffer, 0),
            _ => Device.Synchronize,
        };
        var caught = Assert.Throws<GraphCaptureException>(() => Device.Capture(forbidden));
        Assert.Multiple(() =>
        {
            Assert.That(caught!.Operation, Is.EqualTo(operation));
            Assert.That(caught.Message, Does.StartWith($"{operation} is not allowed while {Device.Name} captures a graph"));
        });
        Assert.DoesNotThrow(() => forbidden(), "after the failed capture the device works directly again");
    }

    [TestCase("launch")]
    [TestCase("GEMM")]
    [TestCase("copy to host")]
    [TestCase("copy to device")]
    [TestCase("memset")]
    [TestCase("synchronize")]
    public unsafe void AnotherThreadsOperationDuringACaptureIsRefused(string operation)
    {
        using var a = DeviceArrays.Upload(Device, [4f, 5f, 6f, 7f], ElementType.F32);
        using var sum = DeviceArrays.Poisoned(Device, 4, ElementType.F32);
        Action use = operation switch
        {
            "launch" => () => ElementwiseOps.Add(Device, ElementType.F32, a, a, sum, 4),
            "GEMM" => () => Device.Gemm(new GemmDesc(false, false, 2, 2, 2, 1f, a.Address, 2, 0, a.Address, 2, 0, 0f, sum.Address, 2, 0, 1, GemmType.F32, GemmType.F32)),
            "copy to host" => () => DeviceArrays.Download(Device, a, 4, ElementType.F32),
            "copy to device" => () => Device.CopyToDevice(new byte[16], sum),
            "memset" => () => Device.Memset(sum, 0),
            _ => Device.Synchronize,
        };
        Exception? seen = null;
        int capturing = 0;
        using var graph = Device.Capture(() =>
        {
            capturing = Environment.CurrentManagedThreadId;
            var other = new Thread(() => seen = Catch(use));
            other.Start();
            other.Join();
        });
        var refused = seen as CaptureInProgressException;
        Assert.That(refused, Is.Not.Null, $"expected CaptureInProgressException, got {seen?.GetType().Name ?? "no exception"}");
        Assert.Multiple(() =>
        {
            Assert.That(refused!.CapturingThread, Is.EqualTo(capturing));
            Assert.That(refused.Message, Does.Contain($"while thread {capturing} captures a graph on it: a capture serialises the device"));
            Assert.That(refused.Operation, operation == "launch" ? Does.StartWith("launch of kernel ") : Is.EqualTo(operation));
            Assert.That((graph.Kernels, graph.Gemms), Is.EqualTo((0, 0)), "nothing of the other thread was recorded");
        });
        Assert.DoesNotThrow(() => use(), "after the capture the other operation works");
    }

    [Test]
    public void MemoryFreedByAnotherThreadOrAFinalizerDuringACaptureIsFreedWhenItEnds()
    {
        int deferredInside = -1;
        AllocateAndDrop(Device); // outside the capture: a buffer allocated inside belongs to the graph
        using var graph = Device.Capture(() =>
        {
            var other = new Thread(() => Device.Allocate(64).Dispose());
            other.Start();
            other.Join();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            deferredInside = Device.DeferredFrees;
        });
        Assert.Multiple(() =>
        {
            Assert.That(deferredInside, Is.EqualTo(2), "the other thread's free and the finalizer's wait for the capture");
            Assert.That(Device.DeferredFrees, Is.Zero, "both freed when the capture ended");
        });
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AllocateAndDrop(EmulatedDevice device) => device.Allocate(128);

    private static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    [Test]
    public unsafe void AnUnregisteredKernelIsRefusedAtCapture()
    {
        var caught = Assert.Throws<ArgumentException>(() => Device.Capture(() =>
            Device.Launch("no_such_kernel", new Dim3(1, 1, 1), new Dim3(32, 1, 1), 0, null)));
        Assert.That(caught!.Message, Does.Contain("'no_such_kernel' is not registered"));
    }
}
