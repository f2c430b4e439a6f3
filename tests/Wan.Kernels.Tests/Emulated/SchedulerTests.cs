using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>The emulator's own semantics: barriers, warp collectives, atomics, shared memory, launch errors.</summary>
[Category("Emulated")]
public sealed unsafe class SchedulerTests
{
    [Test]
    public void WarpReductionInsideABranchTakenByOneWarpOnly()
    {
        var random = NewRandom();
        int n = 1000 + random.Next(100);
        var x = Uniform(random, n);
        using var dx = DeviceArrays.Upload(Emulator, x, ElementType.F32);
        using var dout = DeviceArrays.Poisoned(Emulator, 1, ElementType.F32);
        ulong px = dx.Address, po = dout.Address;
        void** args = stackalloc void*[] { &px, &po, &n };
        Emulator.Launch("probe_warp_sum_in_branch", new Dim3(1), new Dim3(160), 0, args);
        double expected = x.Sum(v => (double)v);
        var sum = DeviceArrays.Download(Emulator, dout, 1, ElementType.F32)[0];
        Assert.That(sum, Is.EqualTo(expected).Within(1e-4 * x.Sum(v => Math.Abs((double)v))));
    }

    [Test]
    public void ShufflesAndVotesFollowCudaSemantics()
    {
        var random = NewRandom();
        var input = new int[32];
        for (int i = 0; i < 32; i++)
        {
            input[i] = random.Next(-1000, 1000);
        }
        using var din = DeviceArrays.UploadBytes<int>(Emulator, input);
        using var dout = Emulator.Allocate(6 * 32 * 4);
        ulong pi = din.Address, po = dout.Address;
        void** args = stackalloc void*[] { &pi, &po };
        Emulator.Launch("probe_shuffles", new Dim3(1), new Dim3(32), 0, args);
        var output = DeviceArrays.DownloadBytes<int>(Emulator, dout, 6 * 32);

        uint ballot = 0;
        for (int l = 0; l < 32; l++)
        {
            ballot |= (uint)(input[l] & 1) << l;
        }
        bool any = input.Any(v => v > 0), all = input.All(v => v > 0);
        for (int l = 0; l < 32; l++)
        {
            int segment = l & ~15;
            Assert.That(output[l], Is.EqualTo(input[5]), $"shfl idx, lane {l}");
            Assert.That(output[32 + l], Is.EqualTo(l - 3 >= segment ? input[l - 3] : input[l]), $"shfl up width 16, lane {l}");
            Assert.That(output[64 + l], Is.EqualTo(l + 2 < 32 ? input[l + 2] : input[l]), $"shfl down, lane {l}");
            Assert.That(output[96 + l], Is.EqualTo(input[l ^ 6]), $"shfl xor, lane {l}");
            Assert.That((uint)output[128 + l], Is.EqualTo(ballot), $"ballot, lane {l}");
            Assert.That(output[160 + l], Is.EqualTo((any ? 1 : 0) | (all ? 2 : 0)), $"any/all, lane {l}");
        }
    }

    /// <summary>
    /// Float atomics add in whatever order the blocks run, so their sum is not bit-reproducible: this
    /// test runs on a forward-only device (never the multi-schedule comparison) and allows 1e-4 per element.
    /// </summary>
    [Test]
    public void AtomicsFromManyBlocksAddUpAndTakeTheMaximum()
    {
        using var emulator = new EmulatedDevice([EmulatedSchedule.Forward]);
        var random = NewRandom();
        int n = 5000 + random.Next(1000);
        var x = Uniform(random, n, 0.5f, 3f); // positive: the int bit patterns order like the values
        using var dx = DeviceArrays.Upload(emulator, x, ElementType.F32);
        using var dsum = DeviceArrays.Upload(emulator, [0f], ElementType.F32);
        using var dmax = DeviceArrays.UploadBytes<int>(emulator, [int.MinValue]);
        ulong px = dx.Address, ps = dsum.Address, pm = dmax.Address;
        void** args = stackalloc void*[] { &px, &ps, &pm, &n };
        emulator.Launch("probe_atomics", new Dim3(7), new Dim3(96), 0, args);
        var sum = DeviceArrays.Download(emulator, dsum, 1, ElementType.F32)[0];
        var max = BitConverter.Int32BitsToSingle(DeviceArrays.DownloadBytes<int>(emulator, dmax, 1)[0]);
        Assert.That(sum, Is.EqualTo(x.Sum(v => (double)v)).Within(1e-4 * n));
        Assert.That(max, Is.EqualTo(x.Max()));
    }

    [Test]
    public void DynamicSharedMemoryIsSharedByTheBlock()
    {
        var random = NewRandom();
        int n = 77;
        var x = Uniform(random, n);
        using var dx = DeviceArrays.Upload(Emulator, x, ElementType.F32);
        using var dy = DeviceArrays.Poisoned(Emulator, n, ElementType.F32);
        ulong px = dx.Address, py = dy.Address;
        void** args = stackalloc void*[] { &px, &py, &n };
        Emulator.Launch("probe_dynamic_shared", new Dim3(1), new Dim3(96), 96 * sizeof(float), args);
        Assert.That(DeviceArrays.Download(Emulator, dy, n, ElementType.F32), Is.EqualTo(x.Reverse().ToArray()));
    }

    [Test]
    public void ThreadsAtDifferentBarriersAreAnErrorNamingTheKernel()
    {
        using var dout = DeviceArrays.Poisoned(Emulator, 64, ElementType.F32);
        ulong po = dout.Address;
        void** args = stackalloc void*[] { &po };
        var error = Assert.Throws<EmulatedLaunchException>(() => Emulator.Launch("probe_divergent_barrier", new Dim3(3), new Dim3(64), 0, args));
        Assert.That(error!.Kernel, Is.EqualTo("probe_divergent_barrier"));
        Assert.That(error.Message, Does.Contain("probe_divergent_barrier").And.Contain("barrier divergence").And.Contain("probes.cu"));
    }

    [Test]
    public void ThreadsExitingBeforeABarrierOthersWaitAtAreAnError()
    {
        using var dout = DeviceArrays.Poisoned(Emulator, 64, ElementType.F32);
        ulong po = dout.Address;
        void** args = stackalloc void*[] { &po };
        var error = Assert.Throws<EmulatedLaunchException>(() => Emulator.Launch("probe_exit_before_barrier", new Dim3(1), new Dim3(64), 0, args));
        Assert.That(error!.Message, Does.Contain("probe_exit_before_barrier").And.Contain("exited"));
    }

    [Test]
    public void UnknownKernelsAndInvalidBlocksAreRefused()
    {
        void** args = stackalloc void*[1];
        var unknown = Assert.Throws<EmulatedLaunchException>(() => Emulator.Launch("no_such_kernel", new Dim3(1), new Dim3(32), 0, args));
        Assert.That(unknown!.Message, Does.Contain("no_such_kernel").And.Contain("not registered"));
    }

    /// <summary>The launch limits both devices share (a GPU refuses the same configurations).</summary>
    [TestCase(1, 1, 1, 2048, 1, 1, "block")]
    [TestCase(1, 1, 1, 32, 32, 2, "block")]
    [TestCase(1, 1, 1, 1, 1, 65, "block")]
    [TestCase(1, 1, 1, 0, 1, 1, "block")]
    [TestCase(0, 1, 1, 32, 1, 1, "grid")]
    [TestCase(1, 65536, 1, 32, 1, 1, "grid")]
    [TestCase(1, 1, -3, 32, 1, 1, "grid")]
    public void LaunchConfigurationsBeyondTheCudaLimitsAreRefused(int gx, int gy, int gz, int bx, int by, int bz, string what)
    {
        void** args = stackalloc void*[1];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.Launch("probe_divergent_barrier", new Dim3(gx, gy, gz), new Dim3(bx, by, bz), 0, args));
        Assert.That(error!.Message, Does.Contain("probe_divergent_barrier").And.Contain($"{what} Dim3"));
    }

    [Test]
    public void CopiesOutsideABufferAreRefused()
    {
        using var buffer = Emulator.Allocate(16);
        Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.CopyToDevice(new byte[8], buffer, 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.CopyToHost(buffer, 10, new byte[8]));
    }
}
