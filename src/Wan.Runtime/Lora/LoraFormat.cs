namespace Wan.Runtime.Lora;

/// <summary>The key spelling a LoRA file uses, recognised from its tensor names (never from the file name).</summary>
public enum LoraFormat
{
    /// <summary>
    /// diffusers / PEFT (<c>WanLoraLoaderMixin.save_lora_weights</c>):
    /// <c>transformer.blocks.N.attn1.to_q.lora_A.weight</c> [r, in] / <c>.lora_B.weight</c> [out, r]; normally no alpha.
    /// </summary>
    DiffusersPeft,

    /// <summary>
    /// kohya / musubi-tuner: <c>lora_unet_blocks_N_self_attn_q.lora_down.weight</c> / <c>.lora_up.weight</c> /
    /// <c>.alpha</c> (original module names with "." replaced by "_").
    /// </summary>
    KohyaMusubi,

    /// <summary>
    /// original Wan / ComfyUI names (the lightx2v LoRAs): <c>diffusion_model.blocks.N.self_attn.q.lora_A.weight</c>
    /// (or <c>lora_down</c>/<c>lora_up</c>) + <c>.alpha</c>, full deltas <c>.diff</c> (weights) and <c>.diff_b</c> (biases).
    /// </summary>
    OriginalComfy,
}
