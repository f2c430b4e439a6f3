namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// First-order Euler on the flow ODE: <c>x_{i+1} = x_i + (sigma_{i+1} - sigma_i) * v_i</c>, in float32.
/// Not used by the official Wan loop; a simple, memory-free baseline.
/// </summary>
public sealed class FlowEulerSolver(FlowSchedule schedule) : FlowSolverBase(schedule)
{
    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample)
    {
        var dt = Sigma(stepIndex + 1) - Sigma(stepIndex);
        for (int j = 0; j < sample.Length; j++)
        {
            sample[j] += dt * modelOutput[j];
        }
    }
}
