namespace Wan.Convert.Conversion;

/// <summary>
/// The files of an original Wan checkpoint: Wan2.2 A14B (<c>high_noise_model/</c>, <c>low_noise_model/</c>)
/// or a single-DiT Wan2.1 model (DiT safetensors in the root), the T5 and VAE <c>.pth</c> files, the
/// tokenizer folder (<c>tokenizer/</c> or the official <c>google/umt5-xxl/</c>) and wan_config.json if present.
/// </summary>
public sealed record OriginalLayout(string Root, IReadOnlyList<string> ExpertDirectories, string T5Path, string VaePath,
    string TokenizerDirectory, string? WanConfigPath)
{
    public static OriginalLayout Locate(string root)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root}: source directory not found");
        }
        var high = Path.Combine(root, "high_noise_model");
        var low = Path.Combine(root, "low_noise_model");
        IReadOnlyList<string> experts;
        if (Directory.Exists(high) || Directory.Exists(low))
        {
            experts = Directory.Exists(high) && Directory.Exists(low)
                ? [high, low]
                : throw new DirectoryNotFoundException($"{root}: has only one of high_noise_model/ and low_noise_model/");
        }
        else if (Directory.GetFiles(root, "*.safetensors*").Length > 0)
        {
            experts = [root];
        }
        else
        {
            throw new FileNotFoundException($"{root}: no DiT weights (neither high_noise_model/ + low_noise_model/ nor *.safetensors in the root)");
        }
        return new OriginalLayout(root, experts,
            FindOne(root, "models_t5_umt5-xxl-enc-bf16.pth", "*t5*.pth", "T5 encoder"),
            FindOne(root, "Wan2.1_VAE.pth", "*VAE*.pth", "VAE"),
            new[] { "tokenizer", Path.Combine("google", "umt5-xxl") }.Select(d => Path.Combine(root, d)).FirstOrDefault(Directory.Exists)
                ?? throw new DirectoryNotFoundException($"{root}: no tokenizer/ or google/umt5-xxl/ folder with spiece.model"),
            File.Exists(Path.Combine(root, "wan_config.json")) ? Path.Combine(root, "wan_config.json") : null);
    }

    private static string FindOne(string root, string officialName, string pattern, string what)
    {
        var official = Path.Combine(root, officialName);
        if (File.Exists(official))
        {
            return official;
        }
        var candidates = Directory.GetFiles(root, pattern, new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive });
        return candidates.Length == 1
            ? candidates[0]
            : throw new FileNotFoundException($"{root}: {what} checkpoint not found (expected {officialName}; {candidates.Length} files match {pattern})");
    }
}
