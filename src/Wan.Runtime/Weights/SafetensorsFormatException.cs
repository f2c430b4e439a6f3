namespace Wan.Runtime.Weights;

/// <summary>A weight file or index that is not a valid safetensors checkpoint. The message names the file.</summary>
public sealed class SafetensorsFormatException(string path, string problem) : Wan.Errors.ModelFileException(path, problem);
