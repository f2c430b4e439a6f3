namespace Wan.Runtime.Config;

/// <summary>A model configuration file that is missing, unreadable, or has a missing or invalid key.</summary>
public sealed class ConfigException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string FilePath { get; } = path;
}
