using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>The captured-step checks of <see cref="DitStepGraphGoldenTests"/> on a real GPU (CudaDevice); ignored, with the reason, without one.</summary>
[Category("Golden")]
[Category("Gpu")]
[TestFixtureSource(nameof(Storages))]
public sealed class GpuDitStepGraphTests(DType storage) : GpuDeviceFixture
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void ReplayedStepEqualsDirectForwards(FixtureCase? fixtureCase) =>
        DitStepGraphGoldenTests.Check(Device, storage, Fixtures.Require(fixtureCase));
}
