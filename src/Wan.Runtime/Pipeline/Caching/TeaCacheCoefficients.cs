namespace Wan.Runtime.Pipeline.Caching;

/// <summary>
/// The polynomial TeaCache applies to the relative L1 change of the time embedding e ([1, D]) to estimate the
/// relative change of the DiT's output: <c>rescaled(x) = c0·x⁴ + c1·x³ + c2·x² + c3·x + c4</c> (numpy
/// <c>poly1d</c> order). The sets are the public TeaCache4Wan2.1 fits for the embedding e (its
/// <c>use_ret_steps = False</c> mode), ali-vilab/TeaCache, TeaCache4Wan2.1/teacache_generate.py (commit 7c10efc),
/// also shipped by LightX2V (configs/caching/teacache). No fit for Wan2.2 A14B is published; its two 14B experts
/// share the Wan2.1 T2V-14B architecture (dim 5120), so they use the 14B fit. A fit is only meaningful on the
/// distances it was fitted on (real Wan embeddings move by a few percent per step): on the random fixture
/// model (50–120% per step) the 14B polynomial is strongly negative and would skip every forward, so models of
/// any other size use <see cref="RawDistance"/>.
/// </summary>
/// <param name="Name">Which public fit this is.</param>
/// <param name="Coefficients">c0..c4, highest power first.</param>
public sealed record TeaCacheCoefficients(string Name, IReadOnlyList<double> Coefficients)
{
    /// <summary>TeaCache4Wan2.1, t2v-1.3B, embedding e: [2.39676752e+03, −1.31110545e+03, 2.01331979e+02, −8.29855975e+00, 1.37887774e-01].</summary>
    public static TeaCacheCoefficients Wan21T2V1_3B { get; } =
        new("Wan2.1 T2V-1.3B", [2.39676752e+03, -1.31110545e+03, 2.01331979e+02, -8.29855975e+00, 1.37887774e-01]);

    /// <summary>TeaCache4Wan2.1, t2v-14B, embedding e: [−5784.54975374, 5449.50911966, −1811.16591783, 256.27178429, −13.02252404].</summary>
    public static TeaCacheCoefficients Wan21T2V14B { get; } =
        new("Wan2.1 T2V-14B", [-5784.54975374, 5449.50911966, -1811.16591783, 256.27178429, -13.02252404]);

    /// <summary>No rescaling: the raw relative L1 distance (for models without a published fit).</summary>
    public static TeaCacheCoefficients RawDistance { get; } = new("raw relative L1 (no published fit)", [0.0, 0.0, 0.0, 1.0, 0.0]);

    /// <summary>The fit for a DiT of hidden size <paramref name="dim"/>: 1536 → Wan2.1 1.3B, 5120 → 14B (Wan2.1 14B, Wan2.2 A14B), other → raw distance.</summary>
    public static TeaCacheCoefficients ForDim(int dim) => dim switch
    {
        1536 => Wan21T2V1_3B,
        5120 => Wan21T2V14B,
        _ => RawDistance,
    };

    /// <summary>The polynomial at <paramref name="x"/> (Horner).</summary>
    public double Rescale(double x) => Coefficients.Aggregate(0.0, (acc, c) => acc * x + c);
}
