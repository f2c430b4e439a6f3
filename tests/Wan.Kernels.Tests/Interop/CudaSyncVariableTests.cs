using Wan.Kernels.Device;

namespace Wan.Kernels.Tests.Interop;

/// <summary>WAN_CUDA_SYNC is read strictly: 1 on, 0 or unset off, anything else one clear error.</summary>
[NonParallelizable]
public sealed class CudaSyncVariableTests
{
    private string? _saved;

    [SetUp]
    public void Save() => _saved = Environment.GetEnvironmentVariable(CudaDevice.SyncVariable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(CudaDevice.SyncVariable, _saved);

    [TestCase(null, false)]
    [TestCase("0", false)]
    [TestCase("1", true)]
    public void OneTurnsItOn(string? value, bool on)
    {
        Environment.SetEnvironmentVariable(CudaDevice.SyncVariable, value);
        Assert.That(CudaDevice.SyncRequested(), Is.EqualTo(on));
    }

    [TestCase("yes")]
    [TestCase("2")]
    public void OtherValuesAreRefusedNamingTheVariable(string value)
    {
        Environment.SetEnvironmentVariable(CudaDevice.SyncVariable, value);
        var error = Assert.Throws<ArgumentException>(() => CudaDevice.SyncRequested());
        Assert.That(error!.Message, Is.EqualTo($"WAN_CUDA_SYNC={value}: expected 1 (synchronise after every launch) or 0"));
    }
}
