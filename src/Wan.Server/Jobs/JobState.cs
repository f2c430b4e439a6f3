namespace Wan.Server.Jobs;

/// <summary>Where a video job is in its life: queued → running → succeeded | failed | cancelled.</summary>
public enum JobState
{
    /// <summary>Accepted and waiting for the engine.</summary>
    Queued,
    /// <summary>On the engine (text encoding, denoising or decoding).</summary>
    Running,
    /// <summary>Finished; the video is in the store.</summary>
    Succeeded,
    /// <summary>Stopped by an error (named in <see cref="VideoJob.Error"/>), or interrupted by a restart under <see cref="InterruptedJobPolicy.Fail"/>.</summary>
    Failed,
    /// <summary>Cancelled by a client before it finished.</summary>
    Cancelled,
}

/// <summary>Helpers on <see cref="JobState"/>.</summary>
public static class JobStates
{
    /// <summary>True for the states a job never leaves (succeeded, failed, cancelled).</summary>
    public static bool IsTerminal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>The lower-case wire name ("queued", "running", ...), as the API and the store spell it.</summary>
    public static string WireName(this JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>Parses a <see cref="WireName"/>.</summary>
    /// <exception cref="FormatException">the text names no state.</exception>
    public static JobState Parse(string text) =>
        Enum.TryParse<JobState>(text, ignoreCase: true, out var state) && Enum.IsDefined(state)
            ? state
            : throw new FormatException($"job state '{text}' is unknown");
}
