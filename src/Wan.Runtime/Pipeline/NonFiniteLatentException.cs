using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// Generation stopped because NaN or ±Inf values appeared: in a DiT expert's prediction or the latent
/// after a denoising step, or in the VAE's decoded video. Nothing downstream (decoder, video writer)
/// runs, so no black video is written. The message is one line naming the stage, the step and expert,
/// the precision, and what to do (bf16 instead of fp16 when fp16 overflowed; the weights otherwise).
/// </summary>
public sealed class NonFiniteLatentException : Wan.Errors.WanException
{
    private NonFiniteLatentException(string message, GenerationStage stage, int step, string? expert, DType precision, long count)
        : base(message)
    {
        Stage = stage;
        Step = step;
        Expert = expert;
        Precision = precision;
        Count = count;
    }

    /// <summary>Where the values appeared: <see cref="GenerationStage.Denoising"/> or <see cref="GenerationStage.Decoding"/>.</summary>
    public GenerationStage Stage { get; }

    /// <summary>The 1-based denoising step (0 for the decoder).</summary>
    public int Step { get; }

    /// <summary>The DiT expert of the step (e.g. "transformer_2 (low noise)"), null for the decoder.</summary>
    public string? Expert { get; }

    /// <summary>The storage precision of the backend that produced the values.</summary>
    public DType Precision { get; }

    /// <summary>How many values were NaN or ±Inf.</summary>
    public long Count { get; }

    /// <summary>Non-finite values in a denoising step: <paramref name="what"/> says where ("the DiT prediction", "the latent after the solver update").</summary>
    internal static NonFiniteLatentException Denoising(int step, int steps, string expert, long timestep, string what, long count, DType precision, string device) =>
        new($"denoising step {step}/{steps} ({expert}, t={timestep}): {what} holds {count} NaN/Inf values at {Name(precision)} precision on {device}; {Advice(precision)}",
            GenerationStage.Denoising, step, expert, precision, count);

    /// <summary>Non-finite values in the decoded video (the latent was finite: the VAE produced them).</summary>
    internal static NonFiniteLatentException Decoding(long count, DType precision, string device) =>
        new($"VAE decode: the video holds {count} NaN/Inf values at {Name(precision)} precision on {device} although the latent was finite; {Advice(precision)}",
            GenerationStage.Decoding, 0, null, precision, count);

    private static string Name(DType precision) => precision switch
    {
        DType.F16 => "fp16",
        DType.BF16 => "bf16",
        DType.F32 => "fp32",
        _ => precision.ToString(),
    };

    private static string Advice(DType precision) => precision == DType.F16
        ? "fp16 overflowed (its largest value is 65504): use bf16 precision, which has the range of fp32"
        : "this precision does not overflow on sane values: the model's weights probably hold NaN/Inf";
}
