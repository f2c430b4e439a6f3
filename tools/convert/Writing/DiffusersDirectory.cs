using Wan.Runtime.IO;
using Wan.Convert.Configs;
using Wan.Convert.Weights;

namespace Wan.Convert.Writing;

/// <summary>Where the diffusers layout keeps each component, and how a complete directory is produced.</summary>
public static class DiffusersDirectory
{
    /// <summary>Component folders holding weights, with the kind and the weight files' base name.</summary>
    public static IReadOnlyList<(string Folder, ComponentKind Kind, string BaseName)> WeightFolders(int experts) =>
    [
        ("transformer", ComponentKind.Transformer, "diffusion_pytorch_model"),
        .. experts == 2 ? [("transformer_2", ComponentKind.Transformer, "diffusion_pytorch_model")] : Array.Empty<(string, ComponentKind, string)>(),
        ("text_encoder", ComponentKind.TextEncoder, "model"),
        ("vae", ComponentKind.Vae, "diffusion_pytorch_model"),
    ];

    /// <summary>
    /// Runs <paramref name="fill"/> on a fresh temporary sibling of <paramref name="destination"/> and renames
    /// it to the destination only when it succeeded, so an interrupted run never leaves a complete-looking model.
    /// </summary>
    public static void WriteAtomically(string destination, Action<string> fill)
    {
        var full = Path.GetFullPath(destination.TrimEnd('/', '\\'));
        if (Directory.Exists(full) || File.Exists(full))
        {
            throw new IOException($"{full}: destination already exists; remove it or choose another path");
        }
        var temp = AtomicOutput.TempPathFor(full);
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            Directory.Move(temp, full);
        }
        catch
        {
            Directory.Delete(temp, true);
            throw;
        }
    }

    /// <summary>model_index.json, every component's config.json and the scheduler config.</summary>
    public static void WriteConfigs(string root, WanModelConfig config)
    {
        DiffusersConfigs.Write(Path.Combine(root, "model_index.json"), DiffusersConfigs.ModelIndex(config));
        foreach (var (folder, kind, _) in WeightFolders(config.Experts))
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
            var json = kind switch
            {
                ComponentKind.Transformer => DiffusersConfigs.Transformer(config.Dit),
                ComponentKind.TextEncoder => DiffusersConfigs.TextEncoder(config.T5),
                _ => DiffusersConfigs.Vae(config.Vae),
            };
            DiffusersConfigs.Write(Path.Combine(root, folder, "config.json"), json);
        }
        Directory.CreateDirectory(Path.Combine(root, "scheduler"));
        DiffusersConfigs.Write(Path.Combine(root, "scheduler", "scheduler_config.json"), DiffusersConfigs.Scheduler(config.Pipeline));
    }
}
