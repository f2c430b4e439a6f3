using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Video;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>The seam statistics on synthetic videos whose answer is known.</summary>
public class SeamReportTests
{
    /// <summary>A grey ramp video: every frame one level brighter than the one before, plus a jump from <paramref name="jumpAt"/> on.</summary>
    private static VideoFrames Ramp(int frames, int jumpAt, int jump)
    {
        const int side = 4;
        var rgb = new byte[frames * side * side * 3];
        for (int f = 0; f < frames; f++)
        {
            rgb.AsSpan(f * side * side * 3, side * side * 3).Fill((byte)(10 + f + (f >= jumpAt ? jump : 0)));
        }
        return new VideoFrames(frames, side, side, rgb);
    }

    [Test]
    public void AJumpInsideAnOverlapIsFlaggedAndASmoothVideoIsNot()
    {
        // 61 video frames = 16 latent frames; windows of 9 with an overlap of 2: [0,9) and [7,16), overlap → frames 25..32.
        var plan = ContextWindowPlan.Create(16, 9, 2, WindowBlending.RaisedCosine, 4);
        var smooth = SeamReport.Measure(Ramp(61, 61, 0), plan);
        Assert.That(smooth.InsideMeanTemporalDifference, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(smooth.WorstSeamFactor, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(smooth.Seams[0].FirstVideoFrame, Is.EqualTo(25));
        Assert.That(smooth.Seams[0].VideoFrames, Is.EqualTo(8));

        var jumped = SeamReport.Measure(Ramp(61, 28, 100), plan);
        // Transitions 24..32 touch the overlap: 9 of them, one jumps by 101, the others by 1.
        Assert.That(jumped.Seams[0].MeanTemporalDifference, Is.EqualTo((8 + 101) / 9.0).Within(1e-12));
        Assert.That(jumped.WorstSeamFactor, Is.GreaterThan(10), "a jump at the seam must be flagged");
        Assert.That(jumped.Windows[1].RgbDriftFromFirst, Has.All.GreaterThan(50.0), "the second window is brighter");
    }

    [Test]
    public void AVideoOfAnotherLengthIsRefused()
    {
        var plan = ContextWindowPlan.Create(16, 9, 2, WindowBlending.Linear, 4);
        var e = Assert.Throws<ArgumentException>(() => SeamReport.Measure(Ramp(57, 57, 0), plan));
        Assert.That(e!.Message, Does.Contain("57 frames").And.Contain("decode to 61"));
    }

    [Test]
    public void TheReportIsWrittenAsJson()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wan-seams-{Guid.NewGuid():N}.json");
        try
        {
            SeamReport.Measure(Ramp(61, 28, 100), ContextWindowPlan.Create(16, 9, 2, WindowBlending.Linear, 4)).Write(path);
            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)).RootElement;
            Assert.That(json.GetProperty("blending").GetString(), Is.EqualTo("linear"));
            Assert.That(json.GetProperty("windows").GetArrayLength(), Is.EqualTo(2));
            Assert.That(json.GetProperty("seams")[0].GetProperty("factor").GetDouble(), Is.GreaterThan(10));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
