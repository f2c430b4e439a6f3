namespace Wan.Runtime.Engine;

/// <summary>Where the engine runs a component (the <c>--device</c> values of <c>wan generate</c>).</summary>
public enum EngineDevice
{
    /// <summary>A GPU when one is usable (driver, device and NVRTC present), else the CPU (with the reason in <see cref="WanEngine.DeviceNote"/>).</summary>
    Auto,

    /// <summary>The CPU reference backend (fp32, OpenBLAS).</summary>
    Cpu,

    /// <summary>The CUDA backend on the GPU (device 0); opening fails with one line when there is none.</summary>
    Cuda,

    /// <summary>The CUDA backend on the emulated device: the same kernels compiled by g++, run on the CPU (slow; for checking).</summary>
    CudaEmulated,
}

/// <summary>The command-line names of <see cref="EngineDevice"/> and of the precisions, and their parsing.</summary>
public static class EngineNames
{
    /// <summary>"auto", "cpu", "cuda", "cuda-emulated": the order of <see cref="EngineDevice"/>.</summary>
    public static readonly IReadOnlyList<string> Devices = ["auto", "cpu", "cuda", "cuda-emulated"];

    /// <summary>"bf16", "fp16", "fp32".</summary>
    public static readonly IReadOnlyList<string> Precisions = ["bf16", "fp16", "fp32"];

    /// <summary>The name of a device, e.g. "cuda-emulated".</summary>
    public static string Name(this EngineDevice device) => Devices[(int)device];

    /// <summary>The device of a name (case-sensitive).</summary>
    /// <exception cref="ArgumentException">not one of <see cref="Devices"/>.</exception>
    public static EngineDevice ParseDevice(string name)
    {
        int i = Devices.ToList().IndexOf(name);
        return i >= 0 ? (EngineDevice)i : throw new ArgumentException($"device '{name}': expected one of {string.Join(", ", Devices)}");
    }

    /// <summary>The storage dtype of a precision name: bf16 → BF16, fp16 → F16, fp32 → F32.</summary>
    /// <exception cref="ArgumentException">not one of <see cref="Precisions"/>.</exception>
    public static Tensors.DType ParsePrecision(string name) => name switch
    {
        "bf16" => Tensors.DType.BF16,
        "fp16" => Tensors.DType.F16,
        "fp32" => Tensors.DType.F32,
        _ => throw new ArgumentException($"precision '{name}': expected one of {string.Join(", ", Precisions)}"),
    };
}
