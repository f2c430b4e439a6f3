using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Engine;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// The routing rule for a named device: a component whose family the device's backend lacks is refused when the
/// engine is built (one line: component, device, family, and how to route it elsewhere), never moved to the CPU
/// silently; an explicit per-component route to the CPU is accepted, an explicit route to a device without the
/// family refused. The CUDA backend is wrapped in one that
/// declares no family, so the rule is exercised whatever families CUDA gains.
/// </summary>
[Category("Emulated")]
public sealed class StrictRoutingTests
{
    private static readonly string MissingModel = Path.Combine(Path.GetTempPath(), "wan-no-such-model-" + Guid.NewGuid().ToString("N"));

    private static EngineOptions WithoutFamilies(EngineOptions options) =>
        options with { WrapBackend = b => b is CudaBackend ? new FamilylessBackend(b) : b };

    [Test]
    public void ANamedDeviceWithoutAFamilyIsRefusedBeforeTheModelIsRead()
    {
        var error = Assert.Throws<Wan.Errors.DeviceException>(() =>
            WanEngine.Open(MissingModel, WithoutFamilies(new EngineOptions { Device = EngineDevice.CudaEmulated })))!;
        Assert.That(error.Message, Is.EqualTo("text encoder: device cuda-emulated has no text-encoder ops; route the text encoder to another " +
                                              "device explicitly (EngineOptions.TextEncoderDevice, or the matching --*-device option of wan generate)"));
        var vae = Assert.Throws<Wan.Errors.DeviceException>(() => WanEngine.Open(MissingModel, WithoutFamilies(new EngineOptions
        {
            Device = EngineDevice.CudaEmulated, TextEncoderDevice = EngineDevice.Cpu, DitDevice = EngineDevice.Cpu,
        })))!;
        Assert.That(vae.Message, Does.StartWith("VAE: device cuda-emulated has no VAE ops; route the VAE").And.Contain("EngineOptions.VaeDevice"));
    }

    [TestCase("text encoder", "text-encoder")]
    [TestCase("DiT", "DiT")]
    [TestCase("VAE", "VAE")]
    public void AnOverrideToADeviceWithoutTheFamilyIsRefusedBeforeTheModelIsRead(string component, string family)
    {
        var options = component switch
        {
            "text encoder" => new EngineOptions { Device = EngineDevice.Cpu, TextEncoderDevice = EngineDevice.CudaEmulated },
            "DiT" => new EngineOptions { Device = EngineDevice.Cpu, DitDevice = EngineDevice.CudaEmulated },
            _ => new EngineOptions { Device = EngineDevice.Cpu, VaeDevice = EngineDevice.CudaEmulated },
        };
        var error = Assert.Throws<Wan.Errors.DeviceException>(() => WanEngine.Open(MissingModel, WithoutFamilies(options)))!;
        Assert.That(error.Message, Is.EqualTo($"{component}: device cuda-emulated has no {family} ops"));
    }

    [Test]
    public void ComponentsRoutedElsewhereExplicitlyAreAccepted()
    {
        var options = WithoutFamilies(new EngineOptions
        {
            Device = EngineDevice.CudaEmulated, TextEncoderDevice = EngineDevice.Cpu, DitDevice = EngineDevice.Cpu, VaeDevice = EngineDevice.Cpu,
        });
        // Routing passed: the next thing the engine does is read the (missing) model.
        Assert.Throws<Wan.Errors.ModelFileException>(() => WanEngine.Open(MissingModel, options));
    }

    /// <summary>A backend that forwards the common ops and declares no model family.</summary>
    private sealed class FamilylessBackend(IBackend inner) : IBackend
    {
        public string Name => inner.Name;
        public DType Storage => inner.Storage;
        public Tensor FromHost(ReadOnlySpan<float> data, Shape shape) => inner.FromHost(data, shape);
        public Tensor FromHostF32(ReadOnlySpan<float> data, Shape shape) => inner.FromHostF32(data, shape);
        public Tensor LoadWeight(StoredTensor source) => inner.LoadWeight(source);
        public float[] ToHost(Tensor tensor) => inner.ToHost(tensor);
        public Tensor Reshape(Tensor x, Shape shape) => inner.Reshape(x, shape);
        public Tensor SliceRows(Tensor x, int start, int count) => inner.SliceRows(x, start, count);
        public Tensor Linear(Tensor x, Tensor weight, Tensor? bias) => inner.Linear(x, weight, bias);
        public Tensor RmsNorm(Tensor x, Tensor weight, float eps) => inner.RmsNorm(x, weight, eps);
        public Tensor GeluTanh(Tensor x) => inner.GeluTanh(x);
        public Tensor Silu(Tensor x) => inner.Silu(x);
        public Tensor Add(Tensor a, Tensor b) => inner.Add(a, b);
        public Tensor Mul(Tensor a, Tensor b) => inner.Mul(a, b);
        public void AddInPlace(Tensor x, Tensor y) => inner.AddInPlace(x, y);
        public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) => inner.Attention(q, k, v, spec);
        public bool SupportsAttention(int headDim) => inner.SupportsAttention(headDim);
        public void Dispose() => inner.Dispose();
    }
}
