using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>The umT5 goldens of <see cref="CudaT5GoldenTests"/> on a real GPU (CudaDevice); ignored, with the reason, without one.</summary>
[Category("Golden")]
[Category("Gpu")]
[TestFixtureSource(nameof(Storages))]
public sealed class GpuT5GoldenTests(DType storage) : GpuDeviceFixture
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "t5" } })]
    public void EncoderOutputMatches(FixtureCase? fixtureCase) =>
        CudaT5GoldenTests.Check(Device, storage, Fixtures.Require(fixtureCase));
}
