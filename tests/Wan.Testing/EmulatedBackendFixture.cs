using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;

namespace Wan.Testing;

/// <summary>
/// The preamble every op test of the CUDA backend on the emulated device shares: category <c>Emulated</c>, one fixture per
/// storage type (<see cref="AllStorages"/>), a fresh <see cref="CudaBackend"/> on the shared emulated device
/// (<see cref="EmulatedTesting.Emulator"/>) and a fresh logged random source per test, and the CPU reference backend.
/// A derived fixture is <c>sealed class XTests(DType storage) : EmulatedBackendFixture(storage)</c> and holds only tests.
/// </summary>
/// <param name="storage">the storage type of the CUDA backend's tensors.</param>
[Category("Emulated")]
[TestFixtureSource(typeof(EmulatedBackendFixture), nameof(AllStorages))]
public abstract class EmulatedBackendFixture(DType storage)
{
    private CudaBackend? _cuda;
    private Random? _random;

    /// <summary>The storage types the CUDA backend supports: F32, BF16, F16.</summary>
    public static readonly DType[] AllStorages = [DType.F32, DType.BF16, DType.F16];

    /// <summary>The storage type of this fixture.</summary>
    protected DType Storage => storage;

    /// <summary>The CPU reference backend (one per fixture).</summary>
    protected CpuBackend Cpu { get; } = new();

    /// <summary>The CUDA backend of the current test.</summary>
    protected CudaBackend Cuda => _cuda ?? throw new InvalidOperationException("the CUDA backend exists only inside a test");

    /// <summary>The random source of the current test (its seed is logged for replay).</summary>
    protected Random Random => _random ?? throw new InvalidOperationException("the random source exists only inside a test");

    /// <summary>Creates the test's CUDA backend and random source.</summary>
    [SetUp]
    public void CreateBackend()
    {
        _cuda = new CudaBackend(EmulatedTesting.Emulator, storage);
        _random = EmulatedTesting.NewRandom();
    }

    /// <summary>Frees the test's CUDA backend.</summary>
    [TearDown]
    public void DisposeBackend()
    {
        _cuda?.Dispose();
        _cuda = null;
    }

    /// <summary>Frees the CPU reference backend.</summary>
    [OneTimeTearDown]
    public void DisposeCpu() => Cpu.Dispose();
}
