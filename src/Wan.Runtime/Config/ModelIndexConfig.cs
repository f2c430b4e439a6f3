namespace Wan.Runtime.Config;

/// <summary>
/// model_index.json of a diffusers Wan pipeline. <c>boundary_ratio</c> present means two experts
/// (Wan2.2 A14B: transformer = high noise, transformer_2 = low noise); absent or null means one (Wan2.1).
/// </summary>
public sealed record ModelIndexConfig(string Directory, double? BoundaryRatio, bool HasSecondExpert)
{
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
