using System.Runtime.InteropServices;
using Wan.Kernels.Compile;
using Wan.Kernels.Device;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Kernels.Tests.Gpu;

/// <summary>CudaDevice on a real GPU: copies, launches, cuBLAS GEMMs, graphs, timing. Ignored (with the reason) without one.</summary>
[Category("Gpu")]
public unsafe class CudaDeviceTests() : GpuDeviceFixture(testKernels: true)
{
    [Test]
    public void CopiesRoundTripAtAnOffsetAndMemsetFills()
    {
        var random = NewRandom();
        var data = new byte[4099];
        random.NextBytes(data);
        using var buffer = Device.Allocate(5003);
        Device.Memset(buffer, 0xA5);
        Device.CopyToDevice(data, buffer, 777);
        var back = new byte[5003];
        Device.CopyToHost(buffer, 0, back);
        Assert.Multiple(() =>
        {
            Assert.That(back.AsSpan(777, data.Length).ToArray(), Is.EqualTo(data));
            Assert.That(back[..777], Has.All.EqualTo((byte)0xA5));
            Assert.That(back[(777 + data.Length)..], Has.All.EqualTo((byte)0xA5));
        });
        Assert.That(() => Device.CopyToHost(buffer, 5000, new byte[4]), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ZeroByteBuffersAreEmptyAndCopyNothing()
    {
        using var empty = Device.Allocate(0);
        Device.CopyToDevice([], empty);
        Device.CopyToHost(empty, 0, []);
        Device.Memset(empty, 0);
        Assert.That(empty.Bytes, Is.Zero);
        Assert.That(() => Device.CopyToDevice(new byte[1], empty), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void PinnedBufferIsTheHostSideOfACopy()
    {
        using var pinned = Device.AllocatePinned(1031);
        NewRandom().NextBytes(pinned.Span);
        var expected = pinned.Span.ToArray();
        using var buffer = Device.Allocate(1031);
        Device.CopyToDevice(pinned.Span, buffer);
        pinned.Span.Fill(0);
        Device.CopyToHost(buffer, 0, pinned.Span);
        Assert.That(pinned.Span.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void SmokeAxpyMatchesTheHostLoop()
    {
        var random = NewRandom();
        var n = 1000 + random.Next(1, 500);
        var x = Uniform(random, n, -1f, 1f);
        var y = Uniform(random, n, -1f, 1f);
        using var dx = Upload(x);
        using var dy = Upload(y);
        Axpy(n, 0.75f, dx, dy);
        var result = Download(dy, n);
        var expected = x.Zip(y, (xi, yi) => 0.75f * xi + yi).ToArray();
        Assert.That(Metrics.RelativeL2(result, expected), Is.LessThan(1e-6));
    }

    [Test]
    public void CapturedGraphReplaysAndIsTimed()
    {
        const int n = 3001;
        var random = NewRandom();
        var x = Uniform(random, n, -1f, 1f);
        var y = Uniform(random, n, -1f, 1f);
        using var dx = Upload(x);
        using var dy = Upload(y);
        using var graph = Device.Capture(() => Axpy(n, 0.5f, dx, dy));
        var milliseconds = Device.Time(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                graph.Launch();
            }
        });
        var expected = x.Zip(y, (xi, yi) => 0.5f * xi + (0.5f * xi + (0.5f * xi + yi))).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Metrics.RelativeL2(Download(dy, n), expected), Is.LessThan(1e-6), "capture must not run the work; three replays must");
            Assert.That(milliseconds, Is.GreaterThan(0f));
        });
    }

    [Test]
    public void CaptureAllocatesFromTheGraphReusesFreedMemoryAndRefusesCopies()
    {
        const int n = 2053;
        var x = Uniform(NewRandom(), n, -1f, 1f);
        using var dx = Upload(x);
        DeviceBuffer? result = null;
        ulong temporary = 0;
        using var graph = Device.Capture(() =>
        {
            var t = Device.Allocate(4L * n);
            temporary = t.Address;
            t.Dispose();
            result = Device.Allocate(4L * n);
            Axpy(n, 0.5f, dx, result);
            Axpy(n, 0.5f, dx, result);
            Assert.Throws<GraphCaptureException>(() => Device.CopyToDevice(new byte[4 * n], result));
        });
        using var output = result!;
        Device.CopyToDevice(new byte[4 * n], output);
        graph.Launch();
        Assert.Multiple(() =>
        {
            Assert.That(output.Address, Is.EqualTo(temporary), "the block freed inside the capture is reused inside it");
            Assert.That((graph.Kernels, graph.Gemms, graph.OwnedBytes), Is.EqualTo((2, 0, 4L * n)));
            Assert.That(Download(output, n), Is.EqualTo(x), "one replay of y += 0.5·x twice on zeros");
        });
    }

    [Test]
    public void FailedCaptureRethrowsTheOriginalErrorAndLeavesTheStreamUsable()
    {
        const int n = 1537;
        var random = NewRandom();
        var x = Uniform(random, n, -1f, 1f);
        var y = Uniform(random, n, -1f, 1f);
        using var dx = Upload(x);
        using var dy = Upload(y);
        var thrown = new InvalidOperationException("queued work failed");
        var caught = Assert.Throws<InvalidOperationException>(() => Device.Capture(() =>
        {
            Axpy(n, 0.5f, dx, dy);
            throw thrown;
        }));
        Assert.That(caught, Is.SameAs(thrown), "the queue's exception, not one from ending the capture");

        // Out of capture mode: a direct launch runs and a synchronous copy is allowed again.
        Axpy(n, 0.25f, dx, dy);
        var expected = x.Zip(y, (xi, yi) => 0.25f * xi + yi).ToArray();
        Assert.That(Metrics.RelativeL2(Download(dy, n), expected), Is.LessThan(1e-6), "the captured launch must not have run");
    }

    [Test]
    public void UnknownKernelIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => Device.Launch("no_such_kernel", new Dim3(1), new Dim3(1), 0, null))!;
        Assert.That(e.Message, Does.Contain("no_such_kernel").And.Contain("test/smoke.cu"));
    }

    [Test]
    public void TestKernelsAreLoadedOnlyOnRequest()
    {
        using var runtime = new CudaDevice(cache: new KernelCache(KernelCacheDirectory));
        var e = Assert.Throws<ArgumentException>(() => runtime.Launch("wan_smoke_axpy", new Dim3(1), new Dim3(1), 0, null))!;
        Assert.That(e.Message, Does.Contain("attention.cu").And.Not.Contain("smoke.cu"));
    }

    [TestCase(false, false, GemmType.F32, GemmType.F32, 0.5f, 1e-5)]
    [TestCase(true, false, GemmType.F32, GemmType.F32, 0f, 1e-5)]
    [TestCase(false, true, GemmType.F32, GemmType.F32, 0.5f, 1e-5)]
    [TestCase(true, true, GemmType.F32, GemmType.F32, 0f, 1e-5)]
    [TestCase(false, true, GemmType.BF16, GemmType.F32, 0f, 1e-5)]
    [TestCase(false, true, GemmType.F16, GemmType.F32, 0.5f, 1e-5)]
    [TestCase(false, true, GemmType.BF16, GemmType.BF16, 0.5f, 8e-3)]
    [TestCase(true, false, GemmType.F16, GemmType.F16, 0f, 1e-3)]
    public void StridedBatchedGemmMatchesTheNaiveLoop(bool transA, bool transB, GemmType input, GemmType output, float beta, double tolerance)
    {
        var random = NewRandom();
        int m = 37 + random.Next(8), n = 29 + random.Next(8), k = 45 + random.Next(8), batch = 3;
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
        long strideA = (long)lda * (transA ? k : m) + 7, strideB = (long)ldb * (transB ? n : k) + 1, strideC = (long)ldc * m + 4;
        var a = Round(Uniform(random, (int)(strideA * batch), -1f, 1f), input);
        var b = Round(Uniform(random, (int)(strideB * batch), -1f, 1f), input);
        var c = Round(Uniform(random, (int)(strideC * batch), -1f, 1f), output);
        const float alpha = 1.25f;

        var expected = (float[])c.Clone();
        for (var bi = 0; bi < batch; bi++)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (var p = 0; p < k; p++)
                    {
                        var av = a[bi * strideA + (transA ? (long)p * lda + i : (long)i * lda + p)];
                        var bv = b[bi * strideB + (transB ? (long)j * ldb + p : (long)p * ldb + j)];
                        sum += (double)av * bv;
                    }
                    var at = bi * strideC + (long)i * ldc + j;
                    // beta = 0: cuBLAS must not read C, so the output region is poisoned with NaN.
                    expected[at] = beta == 0 ? (float)(alpha * sum) : (float)(alpha * sum + beta * c[at]);
                    c[at] = beta == 0 ? float.NaN : c[at];
                }
            }
        }

        using var da = Upload(a, input);
        using var db = Upload(b, input);
        using var dc = Upload(c, output);
        Device.Gemm(new GemmDesc(transA, transB, m, n, k, alpha, da.Address, lda, strideA, db.Address, ldb, strideB,
            beta, dc.Address, ldc, strideC, batch, input, output));
        var result = Download(dc, c.Length, output);
        var error = Metrics.RelativeL2(result, expected);
        TestContext.Progress.WriteLine($"cuBLAS GEMM {m}x{n}x{k}x{batch} {input}->{output} tA={transA} tB={transB}: rel L2 {error:E2} (tol {tolerance:E0})");
        Assert.That(error, Is.LessThan(tolerance));
    }

    [Test]
    public void GemmRejectsBadDescriptions()
    {
        using var buffer = Device.Allocate(4096);
        var good = new GemmDesc(false, false, 4, 4, 4, 1f, buffer.Address, 4, 16, buffer.Address, 4, 16, 0f, buffer.Address, 4, 16, 1, GemmType.F32, GemmType.F32);
        Assert.Multiple(() =>
        {
            Assert.That(() => Device.Gemm(good with { Lda = 3 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("leading dimension of A"));
            Assert.That(() => Device.Gemm(good with { OutputType = GemmType.BF16 }), Throws.ArgumentException.With.Message.Contains("F32 inputs"));
            Assert.That(() => Device.Gemm(good with { BatchCount = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }

    private void Axpy(int n, float a, DeviceBuffer x, DeviceBuffer y)
    {
        var xAddress = x.Address;
        var yAddress = y.Address;
        var args = stackalloc void*[] { &n, &a, &xAddress, &yAddress };
        Device.Launch("wan_smoke_axpy", new Dim3((n + 127) / 128), new Dim3(128), 0, args);
    }

    private static float[] Round(float[] values, GemmType type) => type switch
    {
        GemmType.BF16 => [.. values.Select(FloatCodec.RoundToBF16)],
        GemmType.F16 => [.. values.Select(FloatCodec.RoundToF16)],
        _ => values,
    };

    private DeviceBuffer Upload(float[] values, GemmType type = GemmType.F32)
    {
        byte[] bytes = type switch
        {
            GemmType.BF16 => MemoryMarshal.AsBytes(values.Select(FloatCodec.FloatToBF16).ToArray().AsSpan()).ToArray(),
            GemmType.F16 => MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan()).ToArray(),
            _ => MemoryMarshal.AsBytes(values.AsSpan()).ToArray(),
        };
        var buffer = Device.Allocate(bytes.Length);
        Device.CopyToDevice(bytes, buffer);
        return buffer;
    }

    private float[] Download(DeviceBuffer buffer, int count, GemmType type = GemmType.F32)
    {
        var size = type == GemmType.F32 ? 4 : 2;
        var bytes = new byte[count * size];
        Device.CopyToHost(buffer, 0, bytes);
        return type switch
        {
            GemmType.BF16 => [.. MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(FloatCodec.BF16ToFloat)],
            GemmType.F16 => [.. MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h)],
            _ => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
        };
    }
}
