using Wan.Kernels.Device;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>The umT5 goldens of <see cref="CudaT5GoldenTests"/> on a real GPU (CudaDevice); ignored, with the reason, without one.</summary>
[Category("Golden")]
[Category("Gpu")]
[TestFixtureSource(nameof(Storages))]
public sealed class GpuT5GoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    private CudaDevice? _device;

    [OneTimeSetUp]
    public void Open()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Assert.Ignore($"no usable CUDA device: {reason}");
        }
        _device = new CudaDevice();
        TestContext.Progress.WriteLine($"umT5 goldens on {_device.Name}");
    }

    [OneTimeTearDown]
    public void Close() => _device?.Dispose();

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    public void EncoderOutputMatches(FixtureCase? fixtureCase) =>
        CudaT5GoldenTests.Check(_device ?? throw new InvalidOperationException("device not opened"), storage, Fixtures.Require(fixtureCase));
}
