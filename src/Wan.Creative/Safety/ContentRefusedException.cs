namespace Wan.Creative.Safety;

/// <summary>
/// A generated video the frame classifier refuses: the job fails with this one-line reason and no video is returned
/// (CLI exit code 2, no output file; the service answers 422).
/// </summary>
/// <param name="message">One line: frame, score, threshold, model.</param>
/// <param name="frame">The first frame (0-based) above the threshold.</param>
/// <param name="score">Its score.</param>
public sealed class ContentRefusedException(string message, int frame, double score) : Wan.Errors.WanException(message)
{
    /// <summary>The first frame (0-based) above the threshold.</summary>
    public int Frame { get; } = frame;

    /// <summary>Its score.</summary>
    public double Score { get; } = score;
}
