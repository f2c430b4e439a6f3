using Wan.Runtime.Engine;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// <see cref="WanEngine.Open"/> refuses an <see cref="EngineOptions.ExpertResidency"/> or a device that is no defined value (a cast
/// integer, or a number in a configuration file, which the binder accepts) with an <see cref="ArgumentException"/> naming the option
/// and the valid names, before anything loads; before this check such a residency loaded both experts and such a device was the emulated one, silently.
/// </summary>
[Category("Golden")]
public sealed class EngineOptionArgumentTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AnUndefinedResidencyOrDeviceIsRefusedNamingTheOption(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        foreach (var value in new[] { 3, -1, 42 })
        {
            Assert.That(() => WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu, ExpertResidency = (ExpertResidency)value }),
                Throws.ArgumentException.With.Message.StartWith($"EngineOptions.ExpertResidency {value}: not one of Both, Active, Streamed"));
        }
        foreach (var (options, expected) in new (EngineOptions, string)[]
        {
            (new EngineOptions { Device = (EngineDevice)42 }, "EngineOptions.Device 42: not one of Auto, Cpu, Cuda, CudaEmulated"),
            (new EngineOptions { Device = EngineDevice.Cpu, VaeDevice = (EngineDevice)7 }, "EngineOptions.VaeDevice 7: not one of "),
            (new EngineOptions { Device = EngineDevice.Cpu, DitDevice = (EngineDevice)(-2) }, "EngineOptions.DitDevice -2: not one of "),
            (new EngineOptions { Device = EngineDevice.Cpu, TextEncoderDevice = (EngineDevice)9 }, "EngineOptions.TextEncoderDevice 9: not one of "),
        })
        {
            Assert.That(() => WanEngine.Open(set.Diffusers, options), Throws.ArgumentException.With.Message.StartWith(expected));
        }
        // The defined values still open (Active on the CPU; Streamed is refused for the CPU by the pipeline, a DeviceException).
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu, ExpertResidency = ExpertResidency.Active });
        Assert.That(engine.Options.ExpertResidency, Is.EqualTo(ExpertResidency.Active));
    }
}
