namespace Wan.Errors;

/// <summary>
/// A JSON config (model_index.json, a component's config.json, an options file) that is missing,
/// not valid JSON, or has a key that is missing, of the wrong type, impossible, or describes a model
/// the runtime cannot run. Message: <c>PATH: 'KEY' PROBLEM</c> (or <c>PATH: PROBLEM</c> for the whole file).
/// </summary>
public sealed class ConfigException : WanException
{
    /// <summary>An error about the file as a whole (missing, not JSON, not an object).</summary>
    /// <param name="path">the config file.</param>
    /// <param name="problem">what is wrong, one line.</param>
    public ConfigException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>An error about one key.</summary>
    /// <param name="path">the config file.</param>
    /// <param name="key">the key at fault (dotted for nested keys).</param>
    /// <param name="problem">what is wrong with its value, one line, read after the quoted key.</param>
    public ConfigException(string path, string key, string problem)
        : base($"{path}: '{key}' {problem}")
    {
        FilePath = path;
        Key = key;
        Problem = problem;
    }

    /// <summary>The config file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The key at fault, or null when the whole file is.</summary>
    public string? Key { get; }

    /// <summary>What is wrong, without the path and key.</summary>
    public string Problem { get; }
}
