using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>The DiT goldens of <see cref="CudaDitGoldenTests"/> on a real GPU (CudaDevice); ignored, with the reason, without one.</summary>
[Category("Golden")]
[Category("Gpu")]
[TestFixtureSource(nameof(Storages))]
public sealed class GpuDitGoldenTests(DType storage) : GpuDeviceFixture
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void ForwardMatchesReference(FixtureCase? fixtureCase) =>
        CudaDitGoldenTests.Check(Device, storage, Fixtures.Require(fixtureCase));
}
