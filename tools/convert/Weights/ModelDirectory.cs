using Wan.Convert.Configs;
using Wan.Convert.Conversion;
using Wan.Convert.Layout;
using Wan.Convert.Pth;
using Wan.Runtime.Weights;

namespace Wan.Convert.Weights;

/// <summary>
/// Opens whatever the inspect/verify/diff commands are pointed at: a diffusers model directory
/// (model_index.json), an original Wan directory, or a single weight container (.safetensors,
/// sharded directory, .index.json, .pth), as a list of components with diffusers naming.
/// </summary>
public sealed class ModelDirectory : IDisposable
{
    private ModelDirectory(string path, string layout, List<ModelComponent> components)
    {
        Path = path;
        Layout = layout;
        Components = components;
    }

    public string Path { get; }

    /// <summary>"diffusers", "original" or "single".</summary>
    public string Layout { get; }

    public IReadOnlyList<ModelComponent> Components { get; }

    public static ModelDirectory Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var components = new List<ModelComponent>();
        try
        {
            if (File.Exists(full))
            {
                components.Add(new ModelComponent(System.IO.Path.GetFileName(full), ComponentKind.Transformer, OpenFile(full), null));
                return new ModelDirectory(full, "single", components);
            }
            if (!Directory.Exists(full))
            {
                throw new FileNotFoundException($"{full}: no such file or directory");
            }
            if (File.Exists(System.IO.Path.Combine(full, "model_index.json")))
            {
                foreach (var (folder, kind) in new[] { ("transformer", ComponentKind.Transformer), ("transformer_2", ComponentKind.Transformer), ("text_encoder", ComponentKind.TextEncoder), ("vae", ComponentKind.Vae) })
                {
                    var dir = System.IO.Path.Combine(full, folder);
                    if (Directory.Exists(dir))
                    {
                        components.Add(new ModelComponent(folder, kind, SafetensorsCheckpoint.Open(dir), null));
                    }
                }
                return new ModelDirectory(full, "diffusers", components);
            }
            if (Directory.Exists(System.IO.Path.Combine(full, "high_noise_model")) || Directory.GetFiles(full, "*.pth").Length > 0)
            {
                OpenOriginal(full, components);
                return new ModelDirectory(full, "original", components);
            }
            components.Add(new ModelComponent(System.IO.Path.GetFileName(full), ComponentKind.Transformer, SafetensorsCheckpoint.Open(full), null));
            return new ModelDirectory(full, "single", components);
        }
        catch
        {
            foreach (var c in components)
            {
                c.Source.Dispose();
            }
            throw;
        }
    }

    private static ITensorSource OpenFile(string file) =>
        file.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
            ? PthCheckpoint.Open(file)
            : SafetensorsCheckpoint.Open(file);

    private static void OpenOriginal(string root, List<ModelComponent> components)
    {
        var layout = OriginalLayout.Locate(root);
        var settings = new JsonSettings();
        if (layout.WanConfigPath is not null)
        {
            settings.Add(layout.WanConfigPath);
        }
        var names = layout.ExpertDirectories.Count == 2 ? new[] { "transformer", "transformer_2" } : ["transformer"];
        for (int i = 0; i < names.Length; i++)
        {
            components.Add(new ModelComponent(names[i], ComponentKind.Transformer, SafetensorsCheckpoint.Open(layout.ExpertDirectories[i]), new DitKeyMap()));
        }
        components.Add(new ModelComponent("text_encoder", ComponentKind.TextEncoder, PthCheckpoint.Open(layout.T5Path), new T5KeyMap()));
        components.Add(new ModelComponent("vae", ComponentKind.Vae, PthCheckpoint.Open(layout.VaePath),
            new VaeKeyMap(settings.Get<int>("vae.num_res_blocks") ?? 2)));
    }

    public void Dispose()
    {
        foreach (var c in Components)
        {
            c.Source.Dispose();
        }
    }
}
