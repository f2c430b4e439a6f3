using Wan.Runtime.Weights;

namespace Wan.Runtime.Styles;

/// <summary>
/// A header-only LoRA check: the file is a readable safetensors file whose tensor names follow one of the Wan LoRA
/// key formats (fixtures README section 7): diffusers/PEFT <c>transformer.….lora_A|lora_B.weight</c>, kohya/musubi
/// <c>lora_unet_….lora_down|lora_up.weight</c>, original/ComfyUI <c>diffusion_model.….lora_A|lora_down…</c> (+ <c>.diff</c>,
/// <c>.diff_b</c>, <c>.alpha</c>). It does not match keys against a model; the LoRA library's validation does.
/// </summary>
public sealed class LoraKeyPatternValidator : ILoraFileValidator
{
    private static readonly string[] FactorSuffixes = [".lora_A.weight", ".lora_B.weight", ".lora_down.weight", ".lora_up.weight"];

    /// <inheritdoc />
    /// <exception cref="StyleException">Not safetensors, or no key of a known LoRA format (the message shows a few keys).</exception>
    public string Describe(string path)
    {
        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Open(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StyleException($"{path}: not a readable safetensors LoRA file ({e.Message})");
        }
        using (file)
        {
            var names = file.Names.ToList();
            var factors = names.Where(n => FactorSuffixes.Any(s => n.EndsWith(s, StringComparison.Ordinal))).ToList();
            if (factors.Count == 0)
            {
                throw new StyleException($"{path}: no LoRA factor keys (*.lora_A/lora_B/lora_down/lora_up.weight); first keys: " +
                                         string.Join(", ", names.Order(StringComparer.Ordinal).Take(3)));
            }
            var formats = factors.Select(FormatOf).Distinct().ToList();
            if (formats.Count != 1 || formats[0] is null)
            {
                var odd = factors.First(n => FormatOf(n) is null || FormatOf(n) != formats[0]);
                throw new StyleException($"{path}: key '{odd}' matches no single Wan LoRA format " +
                                         "(expected prefix transformer. (diffusers), lora_unet_ (kohya/musubi) or diffusion_model. (original/ComfyUI))");
            }
            return formats[0]!;
        }
    }

    private static string? FormatOf(string key) =>
        key.StartsWith("transformer.", StringComparison.Ordinal) ? "diffusers/PEFT"
        : key.StartsWith("lora_unet_", StringComparison.Ordinal) ? "kohya/musubi"
        : key.StartsWith("diffusion_model.", StringComparison.Ordinal) ? "original/ComfyUI"
        : null;
}
