namespace Wan.Runtime.Styles;

/// <summary>
/// Checks that a file a style references is a LoRA of a known format before the style becomes visible. The style
/// library depends only on this; the LoRA library's full validation (keys, shapes against the model) plugs in here.
/// </summary>
public interface ILoraFileValidator
{
    /// <summary>The file's format in a few words (e.g. "kohya/musubi").</summary>
    /// <exception cref="Exception">Any exception: the file is not a usable LoRA; its message says why and is shown to the user.</exception>
    string Describe(string path);
}
