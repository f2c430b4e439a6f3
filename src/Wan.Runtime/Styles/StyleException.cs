using Wan.Errors;

namespace Wan.Runtime.Styles;

/// <summary>
/// A style that cannot be used: a broken manifest (the message names the file, the field and the problem), a
/// missing or unrecognised LoRA file, or an unknown style name. One line.
/// </summary>
public sealed class StyleException(string message) : WanException(message);
