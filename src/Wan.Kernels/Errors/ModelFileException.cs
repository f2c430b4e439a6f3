namespace Wan.Errors;

/// <summary>
/// A model file (weights, index, tokenizer, checkpoint) that is missing, unreadable or malformed.
/// Message: <c>PATH: PROBLEM</c>. Format-specific errors (safetensors, .pth) derive from it.
/// </summary>
public class ModelFileException : WanException
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    /// <param name="path">the file at fault.</param>
    /// <param name="problem">what is wrong with it, one line.</param>
    /// <param name="inner">the I/O or parse error behind it, if any.</param>
    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file at fault, as it was given.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
