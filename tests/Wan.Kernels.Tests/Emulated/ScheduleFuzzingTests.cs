using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// Schedule fuzzing (<see cref="EmulatedSchedule"/>): the racy probes of kernels/cuda/test/hazards.cu give
/// the right answer under the forward order alone — the race is invisible there — and are flagged as
/// soon as the launch runs under forward, reverse and greedy-reverse with outputs compared bit for bit;
/// a missing cp.async wait reads a poisoned tile under every schedule; the corrected twins (the missing
/// barrier or wait put back) pass under every schedule.
/// </summary>
[Category("Emulated")]
public sealed unsafe class ScheduleFuzzingTests
{
    private static readonly EmulatedDevice ForwardOnly = new([EmulatedSchedule.Forward]);
    private static readonly EmulatedDevice Fuzzing = new(EmulatedSchedule.Fuzzing);

    [TestCase("probe_race_neighbour")]
    [TestCase("probe_race_tile_reuse")]
    public void ARaceLooksCorrectUnderTheForwardOrder(string kernel)
    {
        var (actual, expected) = RunProbe(ForwardOnly, kernel, corrected: false);
        Assert.That(actual, Is.EqualTo(expected), "the forward order happens to satisfy the missing dependency");
    }

    [TestCase("probe_race_neighbour")]
    [TestCase("probe_race_tile_reuse")]
    [TestCase("probe_race_cp_async")]
    public void ARaceIsFlaggedWhenTheSchedulesDisagree(string kernel)
    {
        var error = Assert.Throws<EmulatedLaunchException>(() => RunProbe(Fuzzing, kernel, corrected: false));
        Assert.That(error!.Kernel, Is.EqualTo(kernel));
        Assert.That(error.Message, Does.Contain($"kernel '{kernel}': outputs differ between schedules forward and ").And.Contain("first differs at byte"));
    }

    [TestCase("probe_race_neighbour")]
    [TestCase("probe_race_tile_reuse")]
    [TestCase("probe_race_cp_async")]
    public void TheCorrectedKernelIsBitIdenticalUnderEverySchedule(string kernel)
    {
        var (actual, expected) = RunProbe(Fuzzing, kernel, corrected: true);
        Assert.That(actual, Is.EqualTo(expected));
    }

    /// <summary>
    /// A copy lands only at its thread's wait (or exit): without the wait, every schedule reads a tile
    /// still partly poisoned (NaN) — which part depends on the order, so the comparison flags it too.
    /// </summary>
    [TestCase("forward")]
    [TestCase("reverse")]
    [TestCase("greedy-reverse")]
    public void AMissingCpAsyncWaitReadsPoisonUnderEverySchedule(string schedule)
    {
        using var device = new EmulatedDevice([EmulatedSchedule.Parse(schedule)]);
        var (actual, _) = RunProbe(device, "probe_race_cp_async", corrected: false);
        Assert.That(actual, Has.Some.NaN);
    }

    [TestCase("reverse")]
    [TestCase("greedy-reverse")]
    [TestCase("shuffle:7")]
    public void EachFuzzingOrderAloneBreaksTheRacyNeighbourRead(string schedule)
    {
        using var device = new EmulatedDevice([EmulatedSchedule.Parse(schedule)]);
        var (actual, expected) = RunProbe(device, "probe_race_neighbour", corrected: false);
        Assert.That(actual, Is.Not.EqualTo(expected), $"under {schedule} a thread reads its neighbour's slot before it is written");
    }

    [Test]
    public void SchedulesParseFromTheirTextAndBadTextIsNamed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(EmulatedSchedule.ParseList("forward, reverse,greedy-reverse,shuffle:18446744073709551615"), Is.EqualTo(new[]
            {
                EmulatedSchedule.Forward, EmulatedSchedule.Reverse, EmulatedSchedule.GreedyReverse, EmulatedSchedule.Shuffle(ulong.MaxValue),
            }));
            Assert.That(EmulatedSchedule.Shuffle(42).ToString(), Is.EqualTo("shuffle:42"));
            Assert.That(EmulatedSchedule.Parse(EmulatedSchedule.GreedyReverse.ToString()), Is.EqualTo(EmulatedSchedule.GreedyReverse));
        });
        foreach (var bad in new[] { "backwards", "shuffle:", "shuffle:-1", "forward,", "" })
        {
            var error = Assert.Throws<FormatException>(() => EmulatedSchedule.ParseList(bad), bad);
            Assert.That(error!.Message, Does.Contain("is not an emulator schedule (forward, reverse, greedy-reverse or shuffle:SEED)"));
        }
        Assert.Throws<ArgumentException>(() => _ = new EmulatedDevice([]));
    }

    /// <summary>Runs one probe on random inputs; returns its output and what a race-free run gives.</summary>
    private static (float[] Actual, float[] Expected) RunProbe(EmulatedDevice device, string kernel, bool corrected)
    {
        var random = NewRandom();
        int flag = corrected ? 1 : 0;
        switch (kernel)
        {
            case "probe_race_neighbour":
            {
                int n = 64 + random.Next(150);
                var x = Uniform(random, n);
                using var dx = DeviceArrays.Upload(device, x, ElementType.F32);
                using var dy = DeviceArrays.Poisoned(device, n, ElementType.F32);
                ulong px = dx.Address, py = dy.Address;
                void** args = stackalloc void*[] { &px, &py, &n, &flag };
                device.Launch(kernel, new Dim3(1), new Dim3(256), 0, args);
                var expected = new float[n];
                for (int t = 0; t < n; t++)
                {
                    expected[t] = x[Math.Max(t - 1, 0)];
                }
                return (DeviceArrays.Download(device, dy, n, ElementType.F32), expected);
            }
            case "probe_race_tile_reuse":
            {
                int n = 64 + random.Next(150), tiles = 3 + random.Next(3);
                var x = Uniform(random, n * tiles);
                using var dx = DeviceArrays.Upload(device, x, ElementType.F32);
                using var dy = DeviceArrays.Poisoned(device, n * tiles, ElementType.F32);
                ulong px = dx.Address, py = dy.Address;
                void** args = stackalloc void*[] { &px, &py, &n, &tiles, &flag };
                device.Launch(kernel, new Dim3(1), new Dim3(256), 0, args);
                int width = n;
                var expected = Enumerable.Range(0, n * tiles).Select(i => x[i / width * width + Math.Min(i % width + 1, width - 1)]).ToArray();
                return (DeviceArrays.Download(device, dy, n * tiles, ElementType.F32), expected);
            }
            default:
            {
                int n = 4 * (32 + random.Next(200));
                var x = Uniform(random, n);
                using var dx = DeviceArrays.Upload(device, x, ElementType.F32);
                using var dy = DeviceArrays.Poisoned(device, n, ElementType.F32);
                ulong px = dx.Address, py = dy.Address;
                void** args = stackalloc void*[] { &px, &py, &n, &flag };
                device.Launch(kernel, new Dim3(1), new Dim3(256), 0, args);
                return (DeviceArrays.Download(device, dy, n, ElementType.F32), [.. x.Reverse()]);
            }
        }
    }
}
