namespace Wan.Runtime.Styles;

/// <summary>
/// A style that cannot be used: a broken manifest (the message names the file and the problem), a missing or
/// unrecognised LoRA file, or an unknown style name.
/// </summary>
public sealed class StyleException(string message) : Wan.Errors.WanException(message);
