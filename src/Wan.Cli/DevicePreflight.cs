using Wan.Errors;
using Wan.Kernels.Device;
using Wan.Runtime.Engine;

namespace Wan.Cli;

/// <summary>
/// Where the components of <c>wan generate</c> will run, known from the command line before the model loads: a component's
/// <c>--*-device</c>, else <c>--device</c>, with <c>auto</c> resolved as the engine resolves it (CUDA when a CUDA device opens
/// here: cuInit and cuDeviceGet, no context). Checks that depend on the device (a streamed DiT, the VAE budget's storage) use it,
/// so that they refuse in a second instead of after the weights are read.
/// </summary>
internal static class DevicePreflight
{
    private static readonly Lazy<(bool Present, string Reason)> Gpu = new(() => (CudaDevice.IsAvailable(out var reason), reason));

    /// <summary>The device a component with override <paramref name="component"/> runs on under <c>--device</c> <paramref name="device"/>, never Auto.</summary>
    public static EngineDevice Resolve(EngineDevice? component, EngineDevice device)
    {
        var chosen = component ?? device;
        return chosen != EngineDevice.Auto ? chosen : Gpu.Value.Present ? EngineDevice.Cuda : EngineDevice.Cpu;
    }

    /// <summary>
    /// A component routed to <c>cuda</c> by name needs a CUDA device here (the engine would refuse it too, after the loading line and,
    /// with <c>--vae-memory</c>, after printing a tiling for a GPU that is not there).
    /// </summary>
    /// <exception cref="RequestException">the option that names cuda, with why no CUDA device opens (no driver, no GPU).</exception>
    public static void CheckCudaPresent(EngineOptions engine)
    {
        foreach (var (option, component) in new[] { ("text-encoder-device", engine.TextEncoderDevice), ("dit-device", engine.DitDevice), ("vae-device", engine.VaeDevice) })
        {
            if ((component ?? engine.Device) == EngineDevice.Cuda && !Gpu.Value.Present)
            {
                throw new RequestException(component is null ? "device" : option, "cuda", Gpu.Value.Reason);
            }
        }
    }

    /// <summary>
    /// <c>--experts-resident streamed</c> needs the DiT on a CUDA device (cuda or cuda-emulated): the blocks are uploaded on its copy
    /// stream. The engine refuses it too (WanPipeline.Load), but only after the backends are built.
    /// </summary>
    /// <exception cref="RequestException">streamed with the DiT on the CPU, naming <c>--experts-resident</c> and the device option that put it there.</exception>
    public static void CheckStreamed(EngineOptions engine)
    {
        if (engine.ExpertResidency != ExpertResidency.Streamed || Resolve(engine.DitDevice, engine.Device) != EngineDevice.Cpu)
        {
            return;
        }
        var (option, value) = engine.DitDevice is { } dit ? ("dit-device", dit) : ("device", engine.Device);
        var why = value == EngineDevice.Auto ? "auto found no usable GPU here, so the DiT would run on the CPU" : "the DiT would run on the CPU";
        throw new RequestException([new("experts-resident", "streamed"), new(option, value.Name())],
            $"streamed DiT blocks are uploaded on a CUDA copy stream and {why}: use --{option} cuda (or cuda-emulated), or --experts-resident both or active");
    }
}
