using System.CommandLine;
using Wan.Runtime.Engine;

namespace Wan.Cli;

/// <summary>
/// <c>--text-encoder-device</c>, <c>--dit-device</c>, <c>--vae-device</c> of <c>wan generate</c>: the per-component
/// overrides of <see cref="EngineOptions"/>. A named <c>--device</c> refuses a component it has no ops for; these
/// route such a component elsewhere explicitly (e.g. <c>--vae-device cpu</c> while CUDA has no VAE kernels).
/// </summary>
internal sealed class ComponentDeviceOptions
{
    private readonly Option<string?> _text = Create("--text-encoder-device", "the umT5 text encoder");
    private readonly Option<string?> _dit = Create("--dit-device", "the DiT experts");
    private readonly Option<string?> _vae = Create("--vae-device", "the VAE");

    /// <summary>Adds the three options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_text);
        command.Options.Add(_dit);
        command.Options.Add(_vae);
    }

    /// <summary>The engine options of <c>--device</c>, <c>--precision</c> and the overrides given.</summary>
    public EngineOptions Engine(ParseResult parse, string device, string precision) => new()
    {
        Device = EngineNames.ParseDevice(device),
        Precision = EngineNames.ParsePrecision(precision),
        TextEncoderDevice = Parse(parse.GetValue(_text)),
        DitDevice = Parse(parse.GetValue(_dit)),
        VaeDevice = Parse(parse.GetValue(_vae)),
    };

    private static EngineDevice? Parse(string? name) => name is null ? null : EngineNames.ParseDevice(name);

    private static Option<string?> Create(string name, string component)
    {
        var option = new Option<string?>(name) { Description = $"device of {component} (default: --device): {string.Join(" | ", EngineNames.Devices)}" };
        option.AcceptOnlyFromAmong([.. EngineNames.Devices]);
        return option;
    }
}
