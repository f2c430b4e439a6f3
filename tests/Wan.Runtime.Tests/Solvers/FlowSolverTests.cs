using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Tests.Solvers;

public class FlowSolverTests
{
    private const int Length = 1237;

    [Test]
    public void EulerStepIsXPlusSigmaDifferenceTimesV()
    {
        var solver = FlowSolvers.Create("euler", 4, shift: 1.0);
        Assert.That(solver.Sigmas, Is.EqualTo(new[] { 1f, 0.75f, 0.5f, 0.25f, 0f }));
        float[] sample = [1f, -2f, 0.5f];
        solver.Step([2f, 4f, -1f], 0, sample);
        // dt = 0.75 - 1 = -0.25: [1 - 0.5, -2 - 1, 0.5 + 0.25]
        Assert.That(sample, Is.EqualTo(new[] { 0.5f, -3f, 0.75f }));
        solver.Step([-4f, 8f, 2f], 1, sample);
        Assert.That(sample, Is.EqualTo(new[] { 1.5f, -5f, 0.25f }));
    }

    /// <summary>
    /// On a straight path x(sigma) = (1 - sigma) x0 + sigma n the exact velocity n - x0 is constant, so every
    /// solver (all are exact for a constant data prediction) must stay on the path at every step.
    /// </summary>
    [TestCase("unipc", FlowScheduleKind.TrainingGrid, 7, 12.0)]
    [TestCase("unipc", FlowScheduleKind.SamplingSigmas, 9, 5.0)]
    [TestCase("dpm++", FlowScheduleKind.SamplingSigmas, 7, 12.0)]
    [TestCase("dpm++", FlowScheduleKind.TrainingGrid, 11, 3.0)]
    [TestCase("euler", FlowScheduleKind.SamplingSigmas, 5, 12.0)]
    [TestCase("euler", FlowScheduleKind.TrainingGrid, 6, 1.0)]
    public void EverySolverFollowsAStraightPathExactly(string name, FlowScheduleKind kind, int steps, double shift)
    {
        var rng = new Random(1234 + steps);
        var x0 = RandomArray(rng);
        var noise = RandomArray(rng);
        var solver = FlowSolvers.Create(name, steps, shift, schedule: kind);
        var sample = OnPath(x0, noise, solver.Sigmas[0]);
        var velocity = new float[Length];
        for (int j = 0; j < Length; j++)
        {
            velocity[j] = noise[j] - x0[j];
        }
        for (int i = 0; i < steps; i++)
        {
            solver.Step(velocity, i, sample);
            var expected = OnPath(x0, noise, solver.Sigmas[i + 1]);
            Assert.That(MaxAbsDifference(sample, expected), Is.LessThan(2e-5), $"{name} step {i}");
        }
    }

    /// <summary>The last step goes to sigma 0, where the official updates reduce to the data prediction x - sigma*v.</summary>
    [TestCase("unipc", 5)]
    [TestCase("unipc", 1)]
    [TestCase("dpm++", 6)]
    [TestCase("dpm++", 1)]
    public void LastStepReturnsTheDataPredictionExactly(string name, int steps)
    {
        var rng = new Random(99 + steps);
        var solver = FlowSolvers.Create(name, steps);
        var sample = RandomArray(rng);
        for (int i = 0; i < steps - 1; i++)
        {
            solver.Step(RandomArray(rng), i, sample);
        }
        var v = RandomArray(rng);
        var sigma = solver.Sigmas[steps - 1];
        var x0 = new float[Length];
        for (int j = 0; j < Length; j++)
        {
            x0[j] = sample[j] - sigma * v[j];
        }
        solver.Step(v, steps - 1, sample);
        Assert.That(sample, Is.EqualTo(x0));
    }

    [TestCase("unipc")]
    [TestCase("dpm++")]
    [TestCase("euler")]
    public void StepsOutOfOrderOrRepeatedAreRejected(string name)
    {
        var solver = FlowSolvers.Create(name, 3);
        var v = new float[5];
        var x = new float[5];
        Assert.Throws<InvalidOperationException>(() => solver.Step(v, 1, x));
        solver.Step(v, 0, x);
        Assert.Throws<InvalidOperationException>(() => solver.Step(v, 0, x));
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.Step(v, 3, x));
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.Step(v, -1, x));
        solver.Step(v, 1, x);
        solver.Step(v, 2, x);
        var done = Assert.Throws<InvalidOperationException>(() => solver.Step(v, 2, x));
        Assert.That(done!.Message, Does.Contain("all 3 steps are done"));
    }

    [Test]
    public void MismatchedLengthsAreRejected()
    {
        var solver = FlowSolvers.Create("unipc", 4);
        Assert.Throws<ArgumentException>(() => solver.Step(new float[6], 0, new float[5]));
        Assert.Throws<ArgumentException>(() => solver.Step([], 0, []));
        solver.Step(new float[5], 0, new float[5]);
        var e = Assert.Throws<ArgumentException>(() => solver.Step(new float[7], 1, new float[7]));
        Assert.That(e!.Message, Does.Contain("earlier steps had 5"));
    }

    [Test]
    public void UnknownSolverNameIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => FlowSolvers.Create("ddim", 10));
        Assert.That(e!.Message, Does.Contain("'ddim'").And.Contain("unipc"));
    }

    [Test]
    public void DefaultsAreTheOriginalT2VA14BConfig()
    {
        Assert.That(FlowSolvers.T2VA14BShift, Is.EqualTo(12.0));
        var unipc = FlowSolvers.Create("unipc", FlowSolvers.T2VA14BSteps);
        var explicitSchedule = FlowSchedule.Create(FlowScheduleKind.TrainingGrid, 40, 12.0, 1000);
        Assert.That(unipc.Timesteps, Is.EqualTo(explicitSchedule.Timesteps));
        Assert.That(FlowSolvers.Create("dpm++", 40).Timesteps[0], Is.EqualTo(1000));
    }

    private static float[] RandomArray(Random rng)
    {
        var a = new float[Length];
        for (int j = 0; j < Length; j++)
        {
            a[j] = (float)(rng.NextDouble() * 4 - 2);
        }
        return a;
    }

    private static float[] OnPath(float[] x0, float[] noise, float sigma)
    {
        var x = new float[x0.Length];
        for (int j = 0; j < x.Length; j++)
        {
            x[j] = (float)((1.0 - sigma) * x0[j] + (double)sigma * noise[j]);
        }
        return x;
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        double m = 0;
        for (int j = 0; j < a.Length; j++)
        {
            m = Math.Max(m, Math.Abs((double)a[j] - b[j]));
        }
        return m;
    }
}
