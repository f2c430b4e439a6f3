namespace Wan.Runtime.Weights;

/// <summary>A weight file or index that is not a valid safetensors checkpoint. The message names the file.</summary>
public sealed class SafetensorsFormatException : IOException
{
    public SafetensorsFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }
    public string Problem { get; }
}
