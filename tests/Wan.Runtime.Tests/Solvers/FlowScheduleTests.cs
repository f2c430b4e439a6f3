using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Tests.Solvers;

public class FlowScheduleTests
{
    [Test]
    public void TrainingGridStartsBelowSigmaOneAndTruncatesTimesteps()
    {
        // WAN_ARCHITECTURE.md: N = 6, shift 12 gives the official [999, 983, 959, 922, 856, 705]
        // (diffusers' current UniPC would give [999, 983, 960, 923, 857, 707]).
        var s = FlowSchedule.Create(FlowScheduleKind.TrainingGrid, 6, 12.0, 1000);
        Assert.That(s.Timesteps, Is.EqualTo(new long[] { 999, 983, 959, 922, 856, 705 }));
        Assert.That(s.Sigmas, Has.Count.EqualTo(7));
        Assert.That(s.Sigmas[6], Is.Zero);
        var sigmaMax = (double)(float)0.999;
        Assert.That(s.Sigmas[0], Is.EqualTo((float)(12 * sigmaMax / (1 + 11 * sigmaMax))));
    }

    [Test]
    public void SamplingSigmasWithoutShiftAreTheLinspace()
    {
        var s = FlowSchedule.Create(FlowScheduleKind.SamplingSigmas, 4, 1.0, 1000);
        Assert.That(s.Timesteps, Is.EqualTo(new long[] { 1000, 750, 500, 250 }));
        Assert.That(s.Sigmas, Is.EqualTo(new[] { 1f, 0.75f, 0.5f, 0.25f, 0f }));
    }

    [Test]
    public void SigmasDecreaseStrictlyForLongSchedules()
    {
        foreach (var kind in new[] { FlowScheduleKind.TrainingGrid, FlowScheduleKind.SamplingSigmas })
        {
            var s = FlowSchedule.Create(kind, FlowSolvers.T2VA14BSteps, FlowSolvers.T2VA14BShift, 1000);
            for (int i = 0; i < s.StepCount; i++)
            {
                Assert.That(s.Sigmas[i + 1], Is.LessThan(s.Sigmas[i]), $"{kind} sigma {i + 1}");
                Assert.That(s.Timesteps[i], Is.InRange(0, 1000), $"{kind} timestep {i}");
            }
        }
    }

    [TestCase(0, 12.0, 1000, "steps")]
    [TestCase(-3, 12.0, 1000, "steps")]
    [TestCase(10, 0.0, 1000, "shift")]
    [TestCase(10, -1.0, 1000, "shift")]
    [TestCase(10, double.NaN, 1000, "shift")]
    [TestCase(10, double.PositiveInfinity, 1000, "shift")]
    [TestCase(10, 5.0, 1, "numTrainTimesteps")]
    public void BadArgumentsAreRejectedByName(int steps, double shift, int train, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FlowSchedule.Create(FlowScheduleKind.TrainingGrid, steps, shift, train));
        Assert.That(e!.ParamName, Is.EqualTo(parameter));
    }
}
