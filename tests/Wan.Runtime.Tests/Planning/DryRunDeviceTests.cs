using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Planning;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Planning;

/// <summary>
/// The dry-run device issues exactly what the emulated device runs: on every fixture model, the
/// denoising loop of both experts (text K/V, captured step graphs, replays, expert switch) gives the
/// same launch and GEMM list, call for call, and the same peak and final device memory; a comparison
/// with one hand-added launch fails, naming where.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
public sealed class DryRunDeviceTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void DryRunIssuesTheEmulatedDevicesLaunchesGemmsAndPeak(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var emulated = new EmulatedDevice();
        var recording = new RecordingDevice(emulated);
        Run(set, new CudaBackend(recording, DType.BF16), recording.Log);
        using var dry = new DryRunDevice();
        Run(set, new CudaBackend(dry, DType.BF16), dry.Log);

        TestContext.Progress.WriteLine($"{set.Name}: {dry.Log.Calls.Count} calls issued ({recording.Log.Calls.Count(c => c.Kind == DryRunCallKind.Gemm)} GEMMs), " +
            $"{dry.Log.Replays} replays, peak {dry.Log.PeakBytes} B (emulated {emulated.PeakBytes} B)");
        Assert.Multiple(() =>
        {
            Assert.That(recording.Log.Calls, Has.Count.GreaterThan(100), "the loop issued real work");
            Assert.That(recording.Log.Calls.Any(c => c.Kind == DryRunCallKind.Gemm), "GEMMs were issued");
            Assert.That(DryRunLog.FirstDifference(recording.Log.Calls, dry.Log.Calls), Is.Null, "same launches and GEMMs, in order");
            Assert.That(dry.Log.PeakBytes, Is.EqualTo(emulated.PeakBytes), "same peak device memory");
            Assert.That(dry.Log.LiveBytes, Is.EqualTo(emulated.AllocatedBytes), "same memory left after the experts are disposed");
            Assert.That(dry.Log.Replays, Is.GreaterThan(0), "the steps were replayed from captured graphs");
        });
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ComparisonFailsOnOneExtraLaunch(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var reference = new DryRunDevice();
        Run(set, new CudaBackend(reference, DType.BF16), reference.Log);
        int at = reference.Log.Calls.Count / 2;
        using var altered = new DryRunDevice();
        Run(set, new CudaBackend(new ExtraLaunchDevice(altered, at), DType.BF16), altered.Log);

        var difference = DryRunLog.FirstDifference(reference.Log.Calls, altered.Log.Calls);

        Assert.Multiple(() =>
        {
            Assert.That(altered.Log.Calls, Has.Count.EqualTo(reference.Log.Calls.Count + 1));
            Assert.That(difference, Does.StartWith($"call {at}:").And.Contains("extra_kernel"));
        });
    }

    /// <summary>Forwards everything, and launches one extra kernel just before call number <paramref name="at"/>.</summary>
    private sealed unsafe class ExtraLaunchDevice(IDevice inner, int at) : IDevice
    {
        private int _calls;

        public string Name => inner.Name;
        public DeviceBuffer Allocate(long bytes) => inner.Allocate(bytes);
        public void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0) => inner.CopyToDevice(source, destination, destinationOffset);
        public void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination) => inner.CopyToHost(source, sourceOffset, destination);
        public void Memset(DeviceBuffer buffer, byte value) => inner.Memset(buffer, value);
        public void Synchronize() => inner.Synchronize();
        public DeviceGraph Capture(Action work) => inner.Capture(work);
        public void Dispose() { }

        public void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
        {
            Extra();
            inner.Launch(kernel, grid, block, dynamicSharedBytes, args);
        }

        public void Gemm(in GemmDesc gemm)
        {
            Extra();
            inner.Gemm(gemm);
        }

        private void Extra()
        {
            if (_calls++ == at)
            {
                inner.Launch("extra_kernel", new Dim3(1), new Dim3(32), 0, null);
            }
        }
    }

    /// <summary>Both experts (when the model has two) over a small non-square latent, 4 UniPC steps across the switch, then disposed.</summary>
    private static void Run(FixtureSet set, CudaBackend backend, DryRunLog log)
    {
        var index = ModelIndexConfig.Load(set.Diffusers);
        using var high = WanTransformer.Load(backend, Path.Combine(set.Diffusers, "transformer"));
        using var low = index.HasSecondExpert ? WanTransformer.Load(backend, Path.Combine(set.Diffusers, "transformer_2")) : null;
        var solver = FlowSolvers.Create("unipc", 4);
        var experts = new ExpertSchedule(index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, 3, 4);
        var stages = DryRunDenoise.Run(log, high, low, [high.Config.InChannels, 2, 4, 6], solver, experts, contextRows: 7);
        Assert.That(stages.Sum(s => s.Steps), Is.EqualTo(4));
    }
}
