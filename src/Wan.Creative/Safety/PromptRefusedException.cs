namespace Wan.Creative.Safety;

/// <summary>
/// A prompt the safety filter refuses, before any generation: the CLI exits with code 2 and prints the message; the
/// service answers 422.
/// </summary>
/// <param name="message">One line: which prompt, the blocked term and the list it comes from.</param>
/// <param name="term">The matched block-list entry.</param>
public sealed class PromptRefusedException(string message, BlockedTerm term) : Wan.Errors.WanException(message)
{
    /// <summary>The matched block-list entry.</summary>
    public BlockedTerm Term { get; } = term;
}
