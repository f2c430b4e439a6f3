namespace Wan.Runtime.Lora;

/// <summary>
/// Which DiT expert of a two-expert Wan2.2 model a LoRA applies to. A LoRA file carries no expert
/// information (diffusers loads the same <c>transformer.</c>-keyed file into <c>transformer</c> or,
/// with <c>load_into_transformer_2=True</c>, into <c>transformer_2</c>): the user says which.
/// On a single-expert model every target means that expert.
/// </summary>
public enum LoraExpert
{
    /// <summary>Both experts (the default).</summary>
    Both,

    /// <summary>The high-noise expert (diffusers <c>transformer</c>, original <c>high_noise_model</c>).</summary>
    High,

    /// <summary>The low-noise expert (diffusers <c>transformer_2</c>, original <c>low_noise_model</c>).</summary>
    Low,
}
