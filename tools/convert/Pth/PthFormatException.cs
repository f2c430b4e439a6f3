namespace Wan.Convert.Pth;

/// <summary>A <c>.pth</c> file that is not a plain torch.save state dict, or one that is damaged. The message names the file.</summary>
public sealed class PthFormatException(string path, string problem) : Wan.Errors.ModelFileException(path, problem);
