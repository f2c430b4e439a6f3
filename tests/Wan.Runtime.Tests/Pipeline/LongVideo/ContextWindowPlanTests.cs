using Wan.Runtime.Pipeline.LongVideo;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>Where context windows go and how their weights add up.</summary>
public class ContextWindowPlanTests
{
    [TestCase(121, 21, 8, WindowBlending.RaisedCosine)]
    [TestCase(61, 21, 8, WindowBlending.Linear)]
    [TestCase(30, 21, 5, WindowBlending.RaisedCosine)]
    [TestCase(45, 9, 0, WindowBlending.Linear)]
    [TestCase(40, 10, 7, WindowBlending.RaisedCosine)]
    public void WindowsCoverEveryFrameAndTheirWeightsSumToOne(int frames, int window, int overlap, WindowBlending blending)
    {
        var plan = ContextWindowPlan.Create(frames, window, overlap, blending, 4);
        var total = new double[frames];
        Assert.That(plan.Windows[0].Start, Is.Zero);
        Assert.That(plan.Windows[^1].End, Is.EqualTo(frames), "the last window ends with the latent");
        for (int i = 0; i < plan.Windows.Count; i++)
        {
            var w = plan.Windows[i];
            Assert.That(w.Length, Is.EqualTo(window), "every window has the same shape (one captured step serves all)");
            Assert.That(w.Weights, Has.All.GreaterThan(0f).And.All.LessThanOrEqualTo(1f));
            if (i > 0)
            {
                Assert.That(plan.Windows[i - 1].End - w.Start, Is.GreaterThanOrEqualTo(overlap), $"window {i} overlaps the one before by at least {overlap}");
            }
            for (int f = 0; f < w.Length; f++)
            {
                total[w.Start + f] += w.Weights[f];
            }
        }
        int widestOverlap = plan.Windows.Skip(1).Select((w, i) => plan.Windows[i].End - w.Start).DefaultIfEmpty(0).Max();
        if (widestOverlap * 2 <= window)
        {
            Assert.That(total, Has.All.EqualTo(1.0).Within(1e-6), "two ramps of a seam add up to 1");
        }
        else
        {
            Assert.That(total, Has.All.GreaterThan(0.0), "ramps of neighbouring seams meet: the blend divides by the sum");
        }
    }

    [Test]
    public void DefaultOptionsAreTwentyOneLatentFramesWithAnOverlapOfEight()
    {
        var plan = ContextWindowPlan.FromVideoFrames(1 + (481 - 1) / 4, 81, 29, WindowBlending.RaisedCosine, 4);
        Assert.That(plan.Windows.Select(w => w.Start), Is.EqualTo(new[] { 0, 13, 25, 38, 50, 63, 75, 88, 100 }));
        Assert.That(plan.Windows, Has.All.Property(nameof(ContextWindow.Length)).EqualTo(21));
        Assert.That(ContextWindowPlan.LatentFramesOf(17, "overlap", 4), Is.EqualTo(5));
    }

    [Test]
    public void RampsAreLinearOrRaisedCosine()
    {
        // Two windows of 6 with an overlap of 3: the second ramps in over a = 1/4, 2/4, 3/4.
        var linear = ContextWindowPlan.Create(9, 6, 3, WindowBlending.Linear, 4);
        var cosine = ContextWindowPlan.Create(9, 6, 3, WindowBlending.RaisedCosine, 4);
        Assert.That(linear.Windows[1].Weights.Take(3), Is.EqualTo(new[] { 0.25f, 0.5f, 0.75f }).Within(1e-7));
        Assert.That(cosine.Windows[1].Weights.Take(3), Is.EqualTo(new[] { 0.5 - 0.5 * Math.Cos(Math.PI / 4), 0.5, 0.5 + 0.5 * Math.Cos(Math.PI / 4) }).Within(1e-7));
        Assert.That(linear.Windows[0].Weights.Skip(3), Is.EqualTo(new[] { 0.75f, 0.5f, 0.25f }).Within(1e-7));
    }

    [Test]
    public void AWindowLongerThanTheLatentIsOneWindowOfWeightOne()
    {
        var plan = ContextWindowPlan.Create(5, 21, 8, WindowBlending.RaisedCosine, 4);
        Assert.That(plan.Windows, Has.Count.EqualTo(1));
        Assert.That((plan.Windows[0].Start, plan.Windows[0].Length), Is.EqualTo((0, 5)));
        Assert.That(plan.Windows[0].Weights, Has.All.EqualTo(1f));
    }

    [TestCase(21, 81, 81, "overlap 21 must be at least 0 and shorter than the window of 21 latent frames")]
    [TestCase(21, 80, 17, "window must be 4k+1 video frames")]
    [TestCase(21, 81, 16, "overlap must be 4k+1 video frames")]
    public void BadOptionsAreNamed(int latentFrames, int window, int overlap, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ContextWindowPlan.FromVideoFrames(latentFrames, window, overlap, WindowBlending.Linear, 4));
        Assert.That(e!.Message, Does.Contain(message));
    }
}
