namespace Wan.Server.Jobs;

/// <summary>Where a finished job's time went, in seconds of wall-clock time (the engine's own stage timings plus the file write).</summary>
/// <param name="TextEncodingSeconds">umT5 encoding of both prompts.</param>
/// <param name="DenoisingSeconds">all denoising steps.</param>
/// <param name="DecodingSeconds">the VAE decode.</param>
/// <param name="WritingSeconds">encoding the container and renaming it into the store.</param>
public sealed record JobTimings(double TextEncodingSeconds, double DenoisingSeconds, double DecodingSeconds, double WritingSeconds);
