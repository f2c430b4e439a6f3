using Wan.Runtime.Lora;

namespace Wan.Runtime.Styles;

/// <summary>
/// The style library's LoRA check, done by the LoRA library itself (<see cref="LoraFile.Validate"/>): the file is
/// a readable safetensors LoRA whose every key belongs to one Wan LoRA format (diffusers/PEFT, kohya/musubi,
/// original/ComfyUI; fixtures README section 7). Keys are not matched against a model's shapes here: that happens
/// when the style is applied to a model (<see cref="LoraPreflight"/>).
/// </summary>
public sealed class LoraFileValidator : ILoraFileValidator
{
    /// <inheritdoc />
    /// <exception cref="StyleException">Not a usable LoRA file; the message is the LoRA library's (offending keys listed).</exception>
    public string Describe(string path)
    {
        try
        {
            return LoraFile.Validate(path).ToString();
        }
        catch (LoraFormatException e)
        {
            throw new StyleException(e.Message);
        }
    }
}
