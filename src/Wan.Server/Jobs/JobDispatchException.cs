namespace Wan.Server.Jobs;

/// <summary>
/// A dispatcher could not hand an accepted job on (the broker is unreachable or refused the message). The API answers
/// 503 and records the job as failed with this message; nothing was queued.
/// </summary>
/// <param name="message">one line naming the transport and the problem.</param>
/// <param name="inner">the transport's exception.</param>
public sealed class JobDispatchException(string message, Exception? inner = null) : Exception(message, inner);
