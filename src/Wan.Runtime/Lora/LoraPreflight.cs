using Wan.Runtime.Config;

namespace Wan.Runtime.Lora;

/// <summary>Checks a LoRA set against a model directory before anything is loaded.</summary>
public static class LoraPreflight
{
    /// <summary>
    /// Validates every file of <paramref name="set"/> (exists, format recognised from its keys, every key a
    /// linear/norm of the targeted expert with the right shape) against the DiT config of each expert it
    /// targets in the diffusers model directory (<c>transformer/</c> = high noise, <c>transformer_2/</c> = low
    /// noise; a spec for the low-noise expert of a single-expert model checks against <c>transformer/</c>).
    /// Reads the LoRA files' tensors to check they are finite; no model weight is loaded.
    /// </summary>
    /// <exception cref="LoraFormatException">The first file that cannot be applied, its offending keys listed.</exception>
    /// <exception cref="Wan.Errors.ConfigException">A DiT config.json that cannot be read.</exception>
    public static void Check(LoraSet set, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(set);
        var high = Path.Combine(modelDirectory, "transformer", "config.json");
        var lowPath = Path.Combine(modelDirectory, "transformer_2", "config.json");
        DitConfig? highConfig = File.Exists(high) ? DitConfig.Load(high) : null;
        DitConfig? lowConfig = File.Exists(lowPath) ? DitConfig.Load(lowPath) : highConfig;
        foreach (var spec in set.Specs)
        {
            if (spec.Targets(LoraExpert.High))
            {
                LoraFile.Validate(spec.Path, highConfig);
            }
            if (spec.Targets(LoraExpert.Low) && (spec.Target != LoraExpert.Both || !ReferenceEquals(lowConfig, highConfig)))
            {
                LoraFile.Validate(spec.Path, lowConfig);
            }
        }
    }
}
