using static Wan.Runtime.Pipeline.Solvers.Float32Scalars;

namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// UniPC (B(h) = expm1(-h), "bh2") of order 2 for flow matching, as the official Wan
/// <c>FlowUniPCMultistepScheduler</c> with its defaults, the solver of the official T2V loop.
/// Each step: data prediction <c>x0 = x - sigma*v</c>; from the second step on, the corrector UniC
/// (of the previous step's order, using the new x0) refines the incoming sample; then the predictor
/// UniP moves it to the next sigma with order 1 at the first step (warm-up) and the last step
/// (lower_order_final), order 2 (rho = 1/2) otherwise. Scalar coefficients are float32 like the
/// official 0-d tensors. The last step has sigma_next = 0 (lambda = +inf); IEEE arithmetic then gives x0.
/// </summary>
public sealed class FlowUniPcSolver : FlowSolverBase
{
    private const int SolverOrder = 2;

    /// <summary>x0 of the current step, of the previous step and of the one before (rotated, never copied).</summary>
    private float[] _x0 = [], _previousX0 = [], _olderX0 = [];

    /// <summary>The sample the previous predictor started from (after its correction).</summary>
    private float[] _lastSample = [];

    private int _lastOrder;

    /// <summary>A solver over <paramref name="schedule"/> (the official loop pairs UniPC with <see cref="FlowScheduleKind.TrainingGrid"/>).</summary>
    public FlowUniPcSolver(FlowSchedule schedule) : base(schedule)
    {
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample)
    {
        if (_x0.Length != sample.Length)
        {
            _x0 = new float[sample.Length];
            _previousX0 = new float[sample.Length];
            _olderX0 = new float[sample.Length];
            _lastSample = new float[sample.Length];
        }
        (_olderX0, _previousX0, _x0) = (_previousX0, _x0, _olderX0);
        var sigma = Sigma(stepIndex);
        for (int j = 0; j < sample.Length; j++)
        {
            _x0[j] = sample[j] - sigma * modelOutput[j];
        }

        if (stepIndex > 0)
        {
            Correct(stepIndex, sample);
        }

        // Warm-up: order k needs k - 1 earlier outputs. lower_order_final: no order 2 on the last step.
        var order = Math.Min(Math.Min(SolverOrder, StepCount - stepIndex), stepIndex + 1);
        sample.CopyTo(_lastSample);
        Predict(stepIndex, order, sample);
        _lastOrder = order;
    }

    /// <summary>UniC: re-does the previous step from <see cref="_lastSample"/> using the new x0 too.</summary>
    private void Correct(int i, Span<float> sample)
    {
        var c = new StepCoefficients(Sigma(i), Sigma(i - 1));
        float rho0 = 0f, rhoLast = 0.5f, rk = 1f;
        if (_lastOrder == 2)
        {
            rk = c.RelativeStep(Sigma(i - 2));
            // b_k = g_k * k! / B(h) for k = 1, 2, where g_1 = expm1(hh)/hh - 1 and g_{k+1} = g_k / hh - 1/(k+1)!.
            var g1 = c.HPhi1 / c.Hh - 1f;
            var b1 = g1 * 1f / c.Bh;
            var g2 = g1 / c.Hh - 0.5f;
            var b2 = g2 * 2f / c.Bh;
            (rho0, rhoLast) = Solve2x2(1f, 1f, rk, 1f, b1, b2);
        }

        var x = _lastSample;
        var m0 = _previousX0;
        var m1 = _olderX0;
        var modelT = _x0;
        for (int j = 0; j < sample.Length; j++)
        {
            var xt = c.SampleScale * x[j] - c.M0Scale * m0[j];
            var correction = _lastOrder == 2 ? rho0 * ((m1[j] - m0[j]) / rk) : 0f;
            sample[j] = xt - c.ResidualScale * (correction + rhoLast * (modelT[j] - m0[j]));
        }
    }

    /// <summary>UniP: moves the sample from sigma[i] to sigma[i+1].</summary>
    private void Predict(int i, int order, Span<float> sample)
    {
        var c = new StepCoefficients(Sigma(i + 1), Sigma(i));
        var m0 = _x0;
        if (order == 1)
        {
            for (int j = 0; j < sample.Length; j++)
            {
                sample[j] = c.SampleScale * sample[j] - c.M0Scale * m0[j];
            }
            return;
        }
        var rk = c.RelativeStep(Sigma(i - 1));
        var m1 = _previousX0;
        for (int j = 0; j < sample.Length; j++)
        {
            var xt = c.SampleScale * sample[j] - c.M0Scale * m0[j];
            var prediction = 0.5f * ((m1[j] - m0[j]) / rk);
            sample[j] = xt - c.ResidualScale * prediction;
        }
    }

    /// <summary>
    /// Solves [[a00, a01], [a10, a11]] x = [b0, b1] in float32 by LU with partial pivoting, as LAPACK's
    /// sgesv (behind torch.linalg.solve) does: the multiplier is a10 * (1 / a00).
    /// </summary>
    private static (float X0, float X1) Solve2x2(float a00, float a01, float a10, float a11, float b0, float b1)
    {
        if (Math.Abs(a10) > Math.Abs(a00))
        {
            (a00, a01, b0, a10, a11, b1) = (a10, a11, b1, a00, a01, b0);
        }
        var l = a10 * (1f / a00);
        var u11 = a11 - l * a01;
        var y1 = b1 - l * b0;
        var x1 = y1 / u11;
        var x0 = (b0 - a01 * x1) / a00;
        return (x0, x1);
    }

    /// <summary>The float32 scalars of one UniP/UniC update from sigma_s0 to sigma_t.</summary>
    private readonly struct StepCoefficients
    {
        public StepCoefficients(float sigmaT, float sigmaS0)
        {
            var alphaT = 1f - sigmaT;
            LambdaS0 = Lambda(sigmaS0);
            H = Lambda(sigmaT) - LambdaS0;
            Hh = -H;
            HPhi1 = ExpM1(Hh);
            Bh = ExpM1(Hh);
            SampleScale = sigmaT / sigmaS0;
            M0Scale = alphaT * HPhi1;
            ResidualScale = alphaT * Bh;
        }

        public float LambdaS0 { get; }
        public float H { get; }
        public float Hh { get; }
        public float HPhi1 { get; }
        public float Bh { get; }
        public float SampleScale { get; }
        public float M0Scale { get; }
        public float ResidualScale { get; }

        /// <summary>r_k = (lambda(sigma_k) - lambda_s0) / h for an earlier sigma.</summary>
        public float RelativeStep(float earlierSigma) => (Lambda(earlierSigma) - LambdaS0) / H;
    }
}
