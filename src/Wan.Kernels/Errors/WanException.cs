namespace Wan.Errors;

/// <summary>
/// Base of every error a user can cause or meet: a bad model file or config, a bad request or
/// argument, a device problem, memory running out. The message is one line that names the thing
/// (file, key, option, function) and the problem, so a front end (the <c>wan</c> CLI, a service)
/// catches this one type and prints <see cref="Exception.Message"/> as it is.
/// Anything else that escapes is a bug in the runtime.
/// </summary>
public abstract class WanException : Exception
{
    /// <summary>Creates the error with its one-line <paramref name="message"/>.</summary>
    /// <param name="message">one line naming the thing and the problem.</param>
    /// <param name="inner">the lower-level error this one explains, if any.</param>
    protected WanException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
