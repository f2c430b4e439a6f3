namespace Wan.Runtime.Weights;

/// <summary>
/// A weight file or index that is not a valid safetensors checkpoint. The message is "path: problem";
/// <see cref="Wan.Errors.ModelFileException.FilePath"/> is the file (or index) at fault and
/// <see cref="Wan.Errors.ModelFileException.Problem"/> what is wrong with it.
/// </summary>
public sealed class SafetensorsFormatException(string path, string problem) : Wan.Errors.ModelFileException(path, problem);
