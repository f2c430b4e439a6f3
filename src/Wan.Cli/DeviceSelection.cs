using Wan.Kernels.Device;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;

namespace Wan.Cli;

/// <summary>
/// Turns --device/--precision into backends. On CUDA (a real GPU, or the emulated device that runs the
/// same kernels on the CPU) the DiT experts run there; the text encoder and the VAE, which have no
/// CUDA kernels yet, stay on the CPU reference backend.
/// </summary>
internal sealed class DeviceSelection : IDisposable
{
    public static readonly string[] Devices = ["auto", "cpu", "cuda", "cuda-emulated"];
    public static readonly string[] Precisions = ["bf16", "fp16", "fp32"];

    private readonly List<IDisposable> _owned = [];

    private DeviceSelection(PipelineBackends backends) => Backends = backends;

    public PipelineBackends Backends { get; private set; }

    /// <summary>Why --device auto chose the CPU, when it did.</summary>
    public string? Note { get; private set; }

    public static DeviceSelection Create(string device, string precision)
    {
        var storage = precision switch
        {
            "bf16" => DType.BF16,
            "fp16" => DType.F16,
            "fp32" => DType.F32,
            _ => throw new ArgumentException($"--precision {precision}: expected one of {string.Join(", ", Precisions)}"),
        };
        var cpu = new CpuBackend();
        var selection = new DeviceSelection(PipelineBackends.All(cpu));
        selection._owned.Add(cpu);
        try
        {
            IDevice? gpu = device switch
            {
                "cpu" => null,
                "auto" => TryCuda(selection),
                "cuda" => new CudaDevice(),
                "cuda-emulated" => new EmulatedDevice(),
                _ => throw new ArgumentException($"--device {device}: expected one of {string.Join(", ", Devices)}"),
            };
            if (gpu is not null)
            {
                selection._owned.Add(gpu);
                var cuda = new CudaBackend(gpu, storage);
                selection._owned.Add(cuda);
                selection.Backends = new PipelineBackends(cpu, cuda, cpu);
            }
            return selection;
        }
        catch
        {
            selection.Dispose();
            throw;
        }
    }

    /// <summary>A GPU when one is usable (driver, device and NVRTC all present), else null with the reason noted.</summary>
    private static CudaDevice? TryCuda(DeviceSelection selection)
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            selection.Note = $"no GPU ({reason}): running on the CPU";
            return null;
        }
        try
        {
            return new CudaDevice();
        }
        catch (Exception e) when (e is DllNotFoundException or Wan.Errors.DeviceException)
        {
            selection.Note = $"the GPU cannot be used ({e.Message}): running on the CPU";
            return null;
        }
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }
}
