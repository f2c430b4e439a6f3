namespace Wan.Runtime.Lora;

/// <summary>
/// A LoRA file or specification that cannot be applied: unreadable, of no recognised format, keys that
/// match nothing or match with the wrong shape (the message lists the first few and what was expected),
/// or a bad <c>FILE[:STRENGTH[:high|low|both]]</c> specification. Never a silent partial load.
/// </summary>
public sealed class LoraFormatException(string message, Exception? inner = null) : Wan.Errors.WanException(message, inner);
