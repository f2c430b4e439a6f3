using Wan.Errors;

namespace Wan.Runtime.Config;

/// <summary>
/// The check that a model path is a diffusers model folder, with a message that says what the path
/// is instead: nothing there, or a single file (a checkpoint such as
/// <c>wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors</c>, a <c>.gguf</c> or a <c>.pth</c>) with the layout
/// expected and the command that produces it. Symbolic links are followed.
/// </summary>
public static class ModelFolder
{
    /// <summary>The file that marks a diffusers model folder.</summary>
    public const string IndexFile = "model_index.json";

    /// <summary>Refuses a path that is not a diffusers model folder.</summary>
    /// <param name="path">the model path as the user gave it.</param>
    /// <exception cref="ModelFileException">the path is empty, nothing exists at <paramref name="path"/>, it is a file, or a folder without model_index.json (e.g. the original Wan layout).</exception>
    public static void Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ModelFileException(path, "is empty (expected a diffusers model folder with model_index.json)");
        }
        if (Directory.Exists(path))
        {
            var index = Path.Combine(path, IndexFile);
            if (!File.Exists(index))
            {
                throw new ModelFileException(path,
                    $"is not a diffusers model folder ({index} not found); an original Wan checkpoint folder (high_noise_model/, low_noise_model/, .pth files) " +
                    "is turned into one by 'wan-convert to-diffusers SRC DST'");
            }
            return;
        }
        if (File.Exists(path))
        {
            throw new ModelFileException(path,
                $"is a file, but the model must be a diffusers folder (model_index.json, transformer/, text_encoder/, tokenizer/, vae/); " +
                $"single-file or original checkpoints ({Path.GetExtension(path)}) are turned into one by 'wan-convert to-diffusers SRC DST'");
        }
        throw new ModelFileException(path, "does not exist (expected a diffusers model folder with model_index.json)");
    }
}
