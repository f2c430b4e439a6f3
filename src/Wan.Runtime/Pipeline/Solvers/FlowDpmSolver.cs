using static Wan.Runtime.Pipeline.Solvers.Float32Scalars;

namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// Multistep DPM-Solver++ (order 2, midpoint) for flow matching, as the official Wan
/// <c>FlowDPMSolverMultistepScheduler</c> with its defaults: data prediction <c>x0 = x - sigma*v</c>, first
/// order at the first step (no history) and at the last step (final sigma 0), second order in between.
/// Scalar coefficients are float32 like the official 0-d tensors, and the sample is float32 after every step.
/// A schedule starting at sigma 1 (<see cref="FlowScheduleKind.SamplingSigmas"/>, the official loop's choice)
/// has lambda = -inf there; IEEE arithmetic makes those coefficients exactly 0 or 1, as in the original.
/// </summary>
public sealed class FlowDpmSolver : FlowSolverBase
{
    private float[] _previousX0 = [];
    private float[] _x0 = [];

    /// <summary>A solver over <paramref name="schedule"/> (the official loop pairs DPM++ with <see cref="FlowScheduleKind.SamplingSigmas"/>).</summary>
    public FlowDpmSolver(FlowSchedule schedule) : base(schedule)
    {
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample)
    {
        if (_x0.Length != sample.Length)
        {
            _x0 = new float[sample.Length];
            _previousX0 = new float[sample.Length];
        }
        (_previousX0, _x0) = (_x0, _previousX0);
        var sigma = Sigma(stepIndex);
        for (int j = 0; j < sample.Length; j++)
        {
            _x0[j] = sample[j] - sigma * modelOutput[j];
        }

        var firstOrder = stepIndex == 0 || stepIndex == StepCount - 1;
        if (firstOrder)
        {
            FirstOrderUpdate(stepIndex, sample);
        }
        else
        {
            MidpointUpdate(stepIndex, sample);
        }
    }

    private void FirstOrderUpdate(int i, Span<float> sample)
    {
        float sigmaT = Sigma(i + 1), sigmaS = Sigma(i);
        var alphaT = 1f - sigmaT;
        var h = Lambda(sigmaT) - Lambda(sigmaS);
        var sampleScale = sigmaT / sigmaS;
        var x0Scale = alphaT * (Exp(-h) - 1f);
        var x0 = _x0;
        for (int j = 0; j < sample.Length; j++)
        {
            sample[j] = sampleScale * sample[j] - x0Scale * x0[j];
        }
    }

    private void MidpointUpdate(int i, Span<float> sample)
    {
        float sigmaT = Sigma(i + 1), sigmaS0 = Sigma(i), sigmaS1 = Sigma(i - 1);
        var alphaT = 1f - sigmaT;
        float lambdaT = Lambda(sigmaT), lambdaS0 = Lambda(sigmaS0), lambdaS1 = Lambda(sigmaS1);
        var h = lambdaT - lambdaS0;
        var r0 = (lambdaS0 - lambdaS1) / h;
        var differenceScale = 1f / r0;
        var sampleScale = sigmaT / sigmaS0;
        var d0Scale = alphaT * (Exp(-h) - 1f);
        var d1Scale = 0.5f * d0Scale;
        var m0 = _x0;
        var m1 = _previousX0;
        for (int j = 0; j < sample.Length; j++)
        {
            var d1 = differenceScale * (m0[j] - m1[j]);
            sample[j] = sampleScale * sample[j] - d0Scale * m0[j] - d1Scale * d1;
        }
    }
}
