namespace Wan.Runtime.Weights;

/// <summary>A weight file or index that is not a valid safetensors checkpoint. The message names the file.</summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>The message is "path: problem".</summary>
    public SafetensorsFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file (or index) at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
