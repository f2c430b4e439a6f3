using Wan.Errors;
using Wan.Kernels.Device;
using Wan.Kernels.Interop;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Errors;

/// <summary>Every error a user can cause is a <see cref="WanException"/> of the right kind, so a front end catches one type.</summary>
public class ErrorHierarchyTests
{
    [TestCase(typeof(SafetensorsFormatException), typeof(ModelFileException))]
    [TestCase(typeof(ConfigException), typeof(WanException))]
    [TestCase(typeof(RequestException), typeof(WanException))]
    [TestCase(typeof(CudaException), typeof(DeviceException))]
    [TestCase(typeof(NoCudaDeviceException), typeof(DeviceException))]
    [TestCase(typeof(NvrtcException), typeof(DeviceException))]
    [TestCase(typeof(CublasException), typeof(DeviceException))]
    [TestCase(typeof(EmulatedLaunchException), typeof(DeviceException))]
    [TestCase(typeof(NativeLibraryMissingException), typeof(DeviceException))]
    [TestCase(typeof(MemoryExhaustedException), typeof(WanException))]
    [TestCase(typeof(DeviceException), typeof(WanException))]
    [TestCase(typeof(ModelFileException), typeof(WanException))]
    public void ErrorIsOfItsKind(Type error, Type kind) => Assert.That(error.IsAssignableTo(kind), Is.True, $"{error.Name} is a {kind.Name}");

    [Test]
    public void ConfigErrorNamesFileAndKey()
    {
        var e = new ConfigException("/m/transformer/config.json", "in_channels", "is 36");
        Assert.That((e.Message, e.FilePath, e.Key, e.Problem), Is.EqualTo(("/m/transformer/config.json: 'in_channels' is 36", "/m/transformer/config.json", "in_channels", "is 36")));
        Assert.That(new ConfigException("/m/vae/config.json", "not valid JSON").Key, Is.Null);
    }

    [Test]
    public void RequestErrorNamesEverySettingWithItsValue()
    {
        var one = new RequestException("fps", 0, "must be at least 1");
        Assert.That((one.Message, one.Format("--")), Is.EqualTo(("fps 0: must be at least 1", "--fps 0: must be at least 1")));
        var several = new RequestException([new("frames", "5"), new("height", "65536")], "too large");
        Assert.That(several.Format("--"), Is.EqualTo("--frames 5 --height 65536: too large"));
    }

    [TestCase(0L, "0 B")]
    [TestCase(1023L, "1023 B")]
    [TestCase(1536L, "1.50 KiB")]
    [TestCase(13_431_209_984L, "12.5 GiB")]
    [TestCase(long.MaxValue, "8.00 EiB")]
    public void MemoryAmountsAreReadable(long bytes, string text) => Assert.That(MemoryExhaustedException.FormatBytes(bytes), Is.EqualTo(text));

    [Test]
    public void MemoryErrorNamesStagePlaceAndAmount()
    {
        var e = new MemoryExhaustedException("denoising", "GPU", 3L << 30, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY");
        Assert.That(e.Message, Is.EqualTo("out of GPU memory while denoising: 3.00 GiB asked for (cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY)"));
        Assert.That(new MemoryExhaustedException("encoding text", "host", 0, "").Message, Is.EqualTo("out of host memory while encoding text"));
    }
}
