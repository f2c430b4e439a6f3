using System.Globalization;
using System.Text;

namespace Wan.Runtime.Planning;

/// <summary>
/// The plan of one generation on one GPU (<see cref="DeploymentPlanner.Plan"/>): the stages with their
/// peak device memory, work and modelled time under the chosen <see cref="Residency"/>, the peak of
/// every residency, and whether the peak plus <see cref="ReserveBytes"/> fits the budget. Modelled, not
/// measured: times are roofline floors from the spec sheet, copies run at the PCIe spec rate.
/// </summary>
/// <param name="Model">what was planned ("Wan2.2-T2V-A14B (preset)" or the directory).</param>
/// <param name="Request">the request.</param>
/// <param name="LatentShape">the latent [C, F, H, W].</param>
/// <param name="Tokens">DiT tokens per sample.</param>
/// <param name="ExpertBytes">the BF16 weights of each DiT expert (high-noise first).</param>
/// <param name="Residency">the residency the stages are given for: the first that fits, else the smallest.</param>
/// <param name="PeakByResidency">the peak (stages, no reserve) of every residency.</param>
/// <param name="Stages">text encode, the denoising stages, decode.</param>
/// <param name="ReserveBytes">modelled memory of the CUDA context and cuBLAS workspace, added to the peak.</param>
/// <param name="DryRunSeconds">host seconds the dry run took.</param>
public sealed record DeploymentPlan(string Model, PlanRequest Request, IReadOnlyList<int> LatentShape, long Tokens, IReadOnlyList<long> ExpertBytes,
    WeightResidency Residency, IReadOnlyDictionary<WeightResidency, long> PeakByResidency, IReadOnlyList<StagePlan> Stages, long ReserveBytes,
    double DryRunSeconds)
{
    /// <summary>The most device memory any stage needs, plus the reserve.</summary>
    public long PeakBytes => Stages.Max(s => s.PeakBytes) + ReserveBytes;

    /// <summary>Whether <see cref="PeakBytes"/> fits <see cref="PlanRequest.BudgetBytes"/>.</summary>
    public bool Fits => PeakBytes <= Request.BudgetBytes;

    /// <summary>Modelled seconds of the whole generation.</summary>
    public double Seconds => Stages.Sum(s => s.Seconds);

    /// <summary>One line: how much the plan is over the budget (or "fits: …").</summary>
    public string Verdict => Fits
        ? Invariant($"fits: {Gb(PeakBytes)} GB of {Gb(Request.BudgetBytes)} GB ({Describe(Residency)}), modelled {Seconds:F0} s on {Request.Gpu.Name}") +
          (GenerateOption(Residency) is { } option ? $"; wan generate --experts-resident {option} runs it" : "; streamed blocks are modelled only, wan generate cannot run them yet")
        : Invariant($"does not fit: needs {Gb(PeakBytes)} GB, {Gb(PeakBytes - Request.BudgetBytes)} GB over the {Gb(Request.BudgetBytes)} GB budget even with {Describe(Residency)}");

    /// <summary>The plan as a Markdown table with a header line and notes.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        var r = Request;
        text.AppendLine(Invariant($"{Model}: {r.Width}×{r.Height} × {r.Frames} frames, latent [{string.Join(", ", LatentShape)}] = {Tokens:N0} tokens, {r.Steps} steps with CFG; {r.Gpu.Name}, budget {Gb(r.BudgetBytes)} GB"));
        text.AppendLine(Invariant($"weights: {string.Join(" + ", ExpertBytes.Select(b => Gb(b) + " GB"))} (DiT experts, BF16); {Describe(Residency)}; peak by residency: ") +
            string.Join(", ", PeakByResidency.Select(p => Invariant($"{Describe(p.Key)} {Gb(p.Value + ReserveBytes)} GB"))));
        text.AppendLine();
        text.AppendLine("| stage | source | steps | peak GB | launches | GEMMs | TFLOP | GB moved | compute s | PCIe s (exposed) | s/step |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in Stages)
        {
            text.AppendLine(Invariant($"| {s.Stage} | {s.Source} | {s.Steps} | {Gb(s.PeakBytes)} | {Count(s.Launches)} | {Count(s.Gemms)} | {s.Flops / 1e12:N1} | ") +
                Invariant($"{(s.BytesMoved is { } b ? (b / 1e9).ToString("N0", CultureInfo.InvariantCulture) : "–")} | {s.ComputeSeconds:N1} | {s.PcieSeconds:N1} ({s.ExposedPcieSeconds:N1}) | {s.SecondsPerStep:N2} |"));
        }
        text.AppendLine(Invariant($"| **total** | | {Stages.Sum(s => s.Steps)} | {Gb(PeakBytes)} (incl. {Gb(ReserveBytes)} reserve) | | | {Stages.Sum(s => s.Flops) / 1e12:N0} | | {Stages.Sum(s => s.ComputeSeconds):N0} | {Stages.Sum(s => s.PcieSeconds):N1} ({Stages.Sum(s => s.ExposedPcieSeconds):N1}) | |"));
        text.AppendLine();
        text.AppendLine(Invariant($"Modelled, not measured: times are roofline floors of {r.Gpu.Name}'s spec sheet ({r.Gpu.DenseBf16Tflops:N0} TFLOP/s dense BF16, {r.Gpu.MemoryTBps:N2} TB/s, PCIe Gen{r.Gpu.PcieGeneration} {r.Gpu.PcieGBps:N0} GB/s); ") +
            Invariant($"\"recorded\" stages ran the real umT5, DiT and VAE code on the dry-run device ({DryRunSeconds:F1} s; text encode and decode time only their GEMMs); the reserve for the CUDA context and cuBLAS is modelled."));
        return text.ToString();
    }

    /// <summary>The residency in words.</summary>
    public static string Describe(WeightResidency residency) => residency switch
    {
        WeightResidency.BothExperts => "both experts resident",
        WeightResidency.ActiveExpert => "only the active expert resident",
        _ => "transformer blocks streamed",
    };

    /// <summary>
    /// The <c>wan generate --experts-resident</c> value (an <c>Engine.ExpertResidency</c> name, lower case) that runs
    /// <paramref name="residency"/>.
    /// </summary>
    public static string GenerateOption(WeightResidency residency) => residency switch
    {
        WeightResidency.BothExperts => "both",
        WeightResidency.ActiveExpert => "active",
        _ => "streamed",
    };

    private static string Gb(long bytes) => (bytes / 1e9).ToString("F1", CultureInfo.InvariantCulture);

    private static string Count(long? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
