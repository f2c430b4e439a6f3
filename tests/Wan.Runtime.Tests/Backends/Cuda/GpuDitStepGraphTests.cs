using Wan.Kernels.Device;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>The captured-step checks of <see cref="DitStepGraphGoldenTests"/> on a real GPU (CudaDevice); ignored, with the reason, without one.</summary>
[Category("Golden")]
[Category("Gpu")]
[TestFixtureSource(nameof(Storages))]
public sealed class GpuDitStepGraphTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16];

    private CudaDevice? _device;

    [OneTimeSetUp]
    public void Open()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Assert.Ignore($"no usable CUDA device: {reason}");
        }
        _device = new CudaDevice();
    }

    [OneTimeTearDown]
    public void Close() => _device?.Dispose();

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void ReplayedStepEqualsDirectForwards(FixtureCase? fixtureCase) =>
        DitStepGraphGoldenTests.Check(_device ?? throw new InvalidOperationException("device not opened"), storage, Fixtures.Require(fixtureCase));
}
