namespace Wan.Runtime.Lora;

/// <summary>Which of a file's full deltas are applied.</summary>
public enum LoraMergeSemantics
{
    /// <summary>
    /// Every delta the file carries (default), as the LoRAs' own authors' loaders do: LightX2V
    /// <c>LoRALoader.apply_lora</c> and ComfyUI add norm <c>.diff</c>/<c>.diff_b</c> too (W' = W + s·diff).
    /// </summary>
    AllDeltas,

    /// <summary>
    /// diffusers-compatible: drops what diffusers 58eb52c0 <c>_convert_non_diffusers_wan_lora_to_diffusers</c>
    /// drops — every <c>.diff</c>/<c>.diff_b</c> of a norm, and <c>.diff</c> of linears other than <c>head.head</c>.
    /// </summary>
    Diffusers,
}
