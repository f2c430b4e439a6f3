namespace Wan.Creative.Templates;

/// <summary>
/// A prompt template that cannot be used: a broken manifest (the message names the file and the field) or an unknown
/// template name. Derives from <see cref="Exception"/> until the project's exception hierarchy lands.
/// </summary>
public sealed class TemplateException(string message) : Exception(message);
