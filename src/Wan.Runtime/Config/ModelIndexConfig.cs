namespace Wan.Runtime.Config;

/// <summary>
/// model_index.json of a diffusers Wan pipeline. <c>boundary_ratio</c> present means two experts
/// (Wan2.2 A14B: transformer = high noise, transformer_2 = low noise); absent or null means one (Wan2.1).
/// </summary>
/// <param name="Directory">the model folder.</param>
/// <param name="BoundaryRatio">fraction of the training timesteps from which the high-noise expert runs; null for one expert.</param>
/// <param name="HasSecondExpert">whether <c>transformer_2</c> (the low-noise expert) is listed.</param>
public sealed record ModelIndexConfig(string Directory, double? BoundaryRatio, bool HasSecondExpert)
{
    /// <summary>Reads <c>model_index.json</c> of a model folder.</summary>
    /// <param name="modelDirectory">the diffusers model folder.</param>
    /// <exception cref="Wan.Errors.ConfigException">the file is missing or not JSON, or names another pipeline or an impossible boundary.</exception>
    public static ModelIndexConfig Load(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, "model_index.json");
        var c = JsonConfig.Load(path);
        var className = c.String("_class_name", "WanPipeline");
        c.Require(className == "WanPipeline", "_class_name", $"is '{className}'; only WanPipeline (text-to-video) is supported");
        double? boundary = c.Has("boundary_ratio") ? c.Double("boundary_ratio") : null;
        c.Require(boundary is null or (> 0 and < 1), "boundary_ratio", "must lie strictly between 0 and 1");
        bool second = c.HasComponent("transformer_2");
        c.Require(!second || boundary is not null, "transformer_2", "is listed but 'boundary_ratio' is missing: when to switch experts is unknown");
        return new ModelIndexConfig(modelDirectory, boundary, second);
    }
}
