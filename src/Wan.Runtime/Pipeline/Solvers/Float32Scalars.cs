namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// The scalar functions the official schedulers evaluate on float32 0-d tensors, each rounded to float32
/// once (computed in double, which makes them correctly rounded in practice). <c>double.ExpM1</c> is
/// <c>exp(x) - 1</c> in .NET and loses the digits that matter for small steps, hence the own version.
/// </summary>
internal static class Float32Scalars
{
    /// <summary>Half the log-SNR of a flow-matching sigma: <c>log(1 - sigma) - log(sigma)</c>, each term in float32.</summary>
    public static float Lambda(float sigma) => Log(1f - sigma) - Log(sigma);

    public static float Log(float x) => (float)Math.Log(x);

    public static float Exp(float x) => (float)Math.Exp(x);

    /// <summary><c>exp(x) - 1</c> without cancellation (Kahan's trick); exact limits at ±infinity.</summary>
    public static float ExpM1(float x)
    {
        double d = x;
        var u = Math.Exp(d);
        if (u == 1.0)
        {
            return x;
        }
        var um1 = u - 1.0;
        if (um1 == -1.0 || double.IsPositiveInfinity(u))
        {
            return (float)um1;
        }
        return (float)(um1 * d / Math.Log(u));
    }
}
