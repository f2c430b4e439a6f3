namespace Wan.Convert.Pth;

/// <summary>A <c>.pth</c> file that is not a plain torch.save state dict, or one that is damaged. The message names the file.</summary>
public sealed class PthFormatException : IOException
{
    public PthFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }
    public string Problem { get; }
}
