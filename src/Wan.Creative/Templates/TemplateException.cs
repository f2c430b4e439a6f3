namespace Wan.Creative.Templates;

/// <summary>
/// A prompt template that cannot be used: a broken manifest (the message names the file and the field) or an unknown
/// template name.
/// </summary>
public sealed class TemplateException(string message) : Wan.Errors.WanException(message);
