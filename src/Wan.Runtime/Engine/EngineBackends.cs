using Wan.Kernels.Device;
using Wan.Kernels.Interop;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Pipeline;

namespace Wan.Runtime.Engine;

/// <summary>
/// The devices and backends an engine uses, created on demand (at most one per device), and the
/// routing of each component to a backend that declares its op family (the rule of
/// <see cref="EngineOptions"/>). Owns what it created; disposes backends before their devices.
/// </summary>
internal sealed class EngineBackends : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<EngineDevice, IBackend> _backends = [];
    private readonly EngineOptions _options;
    private EngineDevice? _auto;

    private EngineBackends(EngineOptions options) => _options = options;

    /// <summary>Why <see cref="EngineDevice.Auto"/> chose the CPU, when it did.</summary>
    public string? Note { get; private set; }

    /// <summary>The backend of each component.</summary>
    public PipelineBackends Backends { get; private set; } = null!;

    /// <summary>Where each component runs, in pipeline order.</summary>
    public IReadOnlyList<ComponentPlacement> Placement { get; private set; } = [];

    /// <summary>Creates the backends and routes the components; throws before any weight is read.</summary>
    /// <exception cref="Wan.Errors.DeviceException">a component would run on a device without its op family: an override
    /// names one, or <see cref="EngineOptions.Device"/> names one (not Auto) and the component has no override.</exception>
    /// <exception cref="ArgumentException">the precision is not BF16, F16 or F32.</exception>
    public static EngineBackends Route(EngineOptions options)
    {
        if (options.Precision is not (Tensors.DType.BF16 or Tensors.DType.F16 or Tensors.DType.F32))
        {
            throw new ArgumentException($"precision {options.Precision}: expected BF16, F16 or F32");
        }
        var engine = new EngineBackends(options);
        try
        {
            var placement = new List<ComponentPlacement>();
            var text = engine.Route<ITextEncoderOps>("text encoder", "text-encoder", options.TextEncoderDevice, placement);
            var dit = engine.Route<IDitOps>("DiT", "DiT", options.DitDevice, placement);
            var vae = engine.Route<IVaeOps>("VAE", "VAE", options.VaeDevice, placement);
            engine.Backends = new PipelineBackends(text, dit, vae);
            engine.Placement = placement;
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>Bytes of live buffers on the engine's accelerator devices (<see cref="IDeviceMemoryAccounting"/>); 0 without one.</summary>
    public long DeviceBytesAllocated => _owned.OfType<IDeviceMemoryAccounting>().Sum(d => d.AllocatedBytes);

    /// <summary>The engine's accelerator devices by name (cuda, cuda-emulated), or "cpu" when it has none.</summary>
    public string MemoryDevice =>
        string.Join("+", _backends.Keys.Where(d => d != EngineDevice.Cpu).Select(d => d.Name()).DefaultIfEmpty(EngineDevice.Cpu.Name()));

    private TOps Route<TOps>(string component, string family, EngineDevice? overrideDevice, List<ComponentPlacement> placement)
        where TOps : class, IBackend
    {
        var device = Resolve(overrideDevice ?? _options.Device);
        var backend = Backend(device);
        if (backend is TOps ops)
        {
            placement.Add(new ComponentPlacement(component, device, backend.Name, null));
            return ops;
        }
        var missing = $"device {device.Name()} has no {family} ops";
        if (overrideDevice is { } chosen && chosen != EngineDevice.Auto)
        {
            throw new Wan.Errors.DeviceException($"{component}: {missing}");
        }
        if (_options.Device != EngineDevice.Auto)
        {
            // A device the user named runs every stage or none: a stage silently moved to the CPU would run
            // for hours where the user expects the GPU. Only an explicit per-component route moves it.
            throw new Wan.Errors.DeviceException($"{component}: {missing}; route the {component} to another device explicitly (EngineOptions.{OverrideName(component)}, or the matching --*-device option of wan generate)");
        }
        var cpu = (TOps)Backend(EngineDevice.Cpu);
        placement.Add(new ComponentPlacement(component, EngineDevice.Cpu, cpu.Name, missing));
        return cpu;
    }

    private static string OverrideName(string component) => component switch
    {
        "text encoder" => nameof(EngineOptions.TextEncoderDevice),
        "DiT" => nameof(EngineOptions.DitDevice),
        _ => nameof(EngineOptions.VaeDevice),
    };

    private EngineDevice Resolve(EngineDevice device) => device == EngineDevice.Auto ? _auto ??= DetectGpu() : device;

    /// <summary>Cuda when a GPU is usable (driver, device and NVRTC all present), else Cpu with the reason in <see cref="Note"/>.</summary>
    private EngineDevice DetectGpu()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Note = $"no GPU ({reason}): running on the CPU";
            return EngineDevice.Cpu;
        }
        try
        {
            Backend(EngineDevice.Cuda);
            return EngineDevice.Cuda;
        }
        catch (Exception e) when (e is DllNotFoundException or Wan.Errors.DeviceException)
        {
            Note = $"the GPU cannot be used ({e.Message}): running on the CPU";
            return EngineDevice.Cpu;
        }
    }

    private IBackend Backend(EngineDevice device)
    {
        if (_backends.TryGetValue(device, out var existing))
        {
            return existing;
        }
        IBackend backend;
        if (device == EngineDevice.Cpu)
        {
            backend = new CpuBackend();
        }
        else
        {
            IDevice gpu = device == EngineDevice.Cuda ? Own(new CudaDevice()) : Own(new EmulatedDevice());
            backend = new CudaBackend(gpu, _options.Precision);
        }
        backend = Own(_options.WrapBackend?.Invoke(backend) ?? backend);
        _backends.Add(device, backend);
        return backend;
    }

    private T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    /// <summary>Backends first, then the devices under them (reverse creation order).</summary>
    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
        _owned.Clear();
    }
}
