using System.Text.Json;
using System.Text.Json.Serialization;
using Wan.Runtime.IO;
using Wan.Runtime.Video;

namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// Seam quality of a context-window video, measured on the decoded 8-bit frames. The temporal
/// difference of transition t is the mean absolute difference (0–255 units, over pixels and RGB)
/// between frames t and t + 1. A seam's transitions are those touching a video frame of the
/// latent overlap of two windows; the inside transitions touch no overlap. <see cref="WorstSeamFactor"/>
/// = the largest seam mean ÷ the inside mean: 1 means a seam changes no faster than the video does
/// inside a window. Colour drift: each window's mean RGB minus the first window's.
/// </summary>
/// <param name="Blending">the blending the windows were mixed with.</param>
/// <param name="VideoFrames">frames of the video.</param>
/// <param name="Windows">per-window statistics.</param>
/// <param name="Seams">per-seam statistics (windows − 1 of them).</param>
/// <param name="InsideMeanTemporalDifference">mean temporal difference of the inside transitions (all transitions when there are none).</param>
/// <param name="WorstSeamFactor">largest seam mean ÷ inside mean; 0 without seams.</param>
public sealed record SeamReport(
    WindowBlending Blending,
    int VideoFrames,
    IReadOnlyList<WindowStatistics> Windows,
    IReadOnlyList<SeamStatistics> Seams,
    double InsideMeanTemporalDifference,
    double WorstSeamFactor)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Measures a decoded video against the plan it was denoised with.</summary>
    /// <exception cref="ArgumentException">the video's frame count is not the plan's 1 + 4·(F − 1).</exception>
    public static SeamReport Measure(VideoFrames video, ContextWindowPlan plan)
    {
        if (video.Frames != VideoFrameOf(plan.LatentFrames - 1, plan.TemporalStride) + 1)
        {
            throw new ArgumentException($"seam report: the video has {video.Frames} frames, the plan's {plan.LatentFrames} latent frames decode to {VideoFrameOf(plan.LatentFrames - 1, plan.TemporalStride) + 1}");
        }
        var differences = new double[video.Frames - 1];
        for (int t = 0; t < differences.Length; t++)
        {
            differences[t] = MeanAbsoluteDifference(video.Frame(t), video.Frame(t + 1));
        }
        var inOverlap = new bool[video.Frames];
        var seams = new List<SeamStatistics>();
        for (int i = 0; i + 1 < plan.Windows.Count; i++)
        {
            var (first, end) = VideoRange(plan.Windows[i + 1].Start, plan.Windows[i].End, plan.TemporalStride);
            for (int f = first; f < end; f++)
            {
                inOverlap[f] = true;
            }
            seams.Add(new SeamStatistics(i, plan.Windows[i].End - plan.Windows[i + 1].Start, first, end - first,
                Mean(differences, Math.Max(0, first - 1), Math.Min(differences.Length, end)), 0));
        }
        var inside = Enumerable.Range(0, differences.Length).Where(t => !inOverlap[t] && !inOverlap[t + 1]).Select(t => differences[t]).ToList();
        double insideMean = inside.Count > 0 ? inside.Average() : differences.Length > 0 ? differences.Average() : 0;
        seams = [.. seams.Select(s => s with { Factor = insideMean > 0 ? s.MeanTemporalDifference / insideMean : 0 })];

        var windows = new List<WindowStatistics>();
        double[]? firstColour = null;
        foreach (var (w, i) in plan.Windows.Select((w, i) => (w, i)))
        {
            var (first, end) = VideoRange(w.Start, w.End, plan.TemporalStride);
            var colour = MeanColour(video, first, end);
            firstColour ??= colour;
            windows.Add(new WindowStatistics(i, w.Start, w.Length, first, end - first, colour,
                [.. colour.Select((c, k) => c - firstColour[k])],
                Mean(differences, first, Math.Min(differences.Length, end - 1))));
        }
        return new SeamReport(plan.Blending, video.Frames, windows, seams, insideMean, seams.Count == 0 ? 0 : seams.Max(s => s.Factor));
    }

    /// <summary>Writes the report as JSON (camelCase), under a temporary name renamed into place.</summary>
    public void Write(string path, CancellationToken cancellation = default) =>
        AtomicOutput.WriteFile(path, stream => JsonSerializer.Serialize(stream, this, Json), cancellation);

    /// <summary>The video frames [first, end) decoded from latent frames [start, end): latent 0 → frame 0, latent f ≥ 1 → frames s·(f − 1) + 1 .. s·f.</summary>
    private static (int First, int End) VideoRange(int latentStart, int latentEnd, int stride) =>
        (latentStart == 0 ? 0 : VideoFrameOf(latentStart - 1, stride) + 1, VideoFrameOf(latentEnd - 1, stride) + 1);

    /// <summary>The last video frame decoded from a latent frame.</summary>
    private static int VideoFrameOf(int latentFrame, int stride) => stride * latentFrame;

    private static double Mean(double[] values, int first, int end) => end > first ? values.AsSpan(first, end - first).ToArray().Average() : 0;

    private static double MeanAbsoluteDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }
        return (double)sum / a.Length;
    }

    private static double[] MeanColour(VideoFrames video, int first, int end)
    {
        var sum = new double[3];
        for (int f = first; f < end; f++)
        {
            var frame = video.Frame(f);
            for (int i = 0; i < frame.Length; i++)
            {
                sum[i % 3] += frame[i];
            }
        }
        double count = (double)(end - first) * video.Height * video.Width;
        return [.. sum.Select(s => s / count)];
    }
}

/// <summary>Statistics of one context window of a decoded video.</summary>
/// <param name="Index">window number from 0.</param>
/// <param name="LatentStart">first latent frame.</param>
/// <param name="LatentFrames">latent frames in the window.</param>
/// <param name="FirstVideoFrame">first video frame decoded from the window's latent frames.</param>
/// <param name="VideoFrames">video frames decoded from them.</param>
/// <param name="MeanRgb">mean R, G, B over those frames (0–255).</param>
/// <param name="RgbDriftFromFirst">mean R, G, B minus the first window's.</param>
/// <param name="MeanTemporalDifference">mean temporal difference of the transitions inside the window's frames.</param>
public sealed record WindowStatistics(int Index, int LatentStart, int LatentFrames, int FirstVideoFrame, int VideoFrames,
    double[] MeanRgb, double[] RgbDriftFromFirst, double MeanTemporalDifference);

/// <summary>Statistics of the seam between windows <see cref="Index"/> and <see cref="Index"/> + 1.</summary>
/// <param name="Index">the first window of the seam.</param>
/// <param name="OverlapLatentFrames">latent frames the two windows share.</param>
/// <param name="FirstVideoFrame">first video frame decoded from the overlap.</param>
/// <param name="VideoFrames">video frames decoded from the overlap.</param>
/// <param name="MeanTemporalDifference">mean temporal difference of the transitions touching the overlap.</param>
/// <param name="Factor">that mean ÷ the report's inside mean.</param>
public sealed record SeamStatistics(int Index, int OverlapLatentFrames, int FirstVideoFrame, int VideoFrames,
    double MeanTemporalDifference, double Factor);
