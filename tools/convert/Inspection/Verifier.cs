using Wan.Convert.Precision;
using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Convert.Inspection;

/// <summary>A tensor that failed verification, and why.</summary>
public sealed record VerifyProblem(string Component, string Tensor, string Problem);

/// <summary>Outcome of <see cref="Verifier.Verify"/>: problems (empty when the copy is faithful) and the fp8 errors seen.</summary>
public sealed record VerifyResult(int TensorsChecked, IReadOnlyList<VerifyProblem> Problems, IReadOnlyList<(string Component, string Tensor, double RelativeError)> Fp8Errors)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Checks a converted diffusers model against its source (original or diffusers layout): every source
/// tensor present under its diffusers name with the same shape, no unexpected tensors, and values equal
/// under the dtype rule: a tensor stored in a 16-bit type must equal the source rounded to that type
/// (bf16/fp16 round to nearest even, fp16 saturating at +-65504) bit for bit; an fp8 tensor, dequantized
/// with its scale, must be within <c>fp8Tolerance</c> relative L2 of the source.
/// </summary>
public static class Verifier
{
    public static VerifyResult Verify(string converted, string source, double fp8Tolerance = 0.08)
    {
        using var target = ModelDirectory.Open(converted);
        using var reference = ModelDirectory.Open(source);
        var problems = new List<VerifyProblem>();
        var fp8 = new List<(string, string, double)>();
        int checkedCount = 0;
        foreach (var component in reference.Components)
        {
            var counterpart = target.Components.FirstOrDefault(c => c.Name == component.Name);
            if (counterpart is null)
            {
                problems.Add(new VerifyProblem(component.Name, "*", $"component missing from {converted}"));
                continue;
            }
            var expected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var storedName in component.Source.Names)
            {
                var name = component.DiffusersName(storedName);
                expected.Add(name);
                checkedCount++;
                var problem = CheckTensor(component.Source, storedName, counterpart.Source, name, fp8Tolerance, out var fp8Error);
                if (fp8Error is { } e)
                {
                    fp8.Add((component.Name, name, e));
                }
                if (problem is not null)
                {
                    problems.Add(new VerifyProblem(component.Name, name, problem));
                }
            }
            foreach (var extra in counterpart.Source.Names.Where(n => !expected.Contains(n)))
            {
                var isScale = extra.EndsWith(ScaledFp8.ScaleSuffix, StringComparison.Ordinal)
                    && expected.Contains(extra[..^ScaledFp8.ScaleSuffix.Length]);
                if (!isScale)
                {
                    problems.Add(new VerifyProblem(component.Name, extra, "not in the source"));
                }
            }
        }
        return new VerifyResult(checkedCount, problems, fp8);
    }

    private static string? CheckTensor(ITensorSource source, string sourceName, ITensorSource target, string targetName,
        double fp8Tolerance, out double? fp8Error)
    {
        fp8Error = null;
        if (!target.Contains(targetName))
        {
            return "missing";
        }
        var s = source.Get(sourceName);
        var t = target.Get(targetName);
        if (s.Shape != t.Shape)
        {
            return $"shape {t.Shape}, source has {s.Shape}";
        }
        if (!s.DType.IsFloat() || !t.DType.IsFloat())
        {
            return s.DType == t.DType && SameBytes(s, t) ? null : $"integer tensor differs ({t.DType} vs {s.DType})";
        }
        using var a = new FloatChunks(s);
        using var b = new FloatChunks(t);
        var x = new float[FloatChunks.ChunkElements];
        var y = new float[FloatChunks.ChunkElements];
        double err = 0, norm = 0;
        long index = 0;
        int n;
        while ((n = a.Next(x)) > 0)
        {
            if (b.Next(y.AsSpan(0, n)) != n)
            {
                return "converted tensor is shorter than the source";
            }
            for (int i = 0; i < n; i++, index++)
            {
                if (t.DType == DType.F8E4M3)
                {
                    double d = (double)y[i] - x[i];
                    err += d * d;
                    norm += (double)x[i] * x[i];
                    continue;
                }
                var want = DTypeCodec.RoundTo(t.DType, x[i]);
                if (BitConverter.SingleToInt32Bits(want) != BitConverter.SingleToInt32Bits(y[i]) && !(float.IsNaN(want) && float.IsNaN(y[i])))
                {
                    return $"element {index} is {y[i]:R}, expected {want:R} (source {x[i]:R} as {t.DType})";
                }
            }
        }
        if (t.DType == DType.F8E4M3)
        {
            var rel = norm > 0 ? Math.Sqrt(err / norm) : Math.Sqrt(err);
            fp8Error = rel;
            if (!(rel <= fp8Tolerance))
            {
                return $"fp8 relative L2 error {rel:G3} exceeds {fp8Tolerance:G3}";
            }
        }
        return null;
    }

    private static bool SameBytes(StoredTensor a, StoredTensor b)
    {
        using var sa = a.OpenRead();
        using var sb = b.OpenRead();
        var ba = new byte[1 << 16];
        var bb = new byte[1 << 16];
        while (true)
        {
            var n = sa.ReadAtLeast(ba, ba.Length, false);
            if (sb.ReadAtLeast(bb, bb.Length, false) != n || !ba.AsSpan(0, n).SequenceEqual(bb.AsSpan(0, n)))
            {
                return false;
            }
            if (n == 0)
            {
                return true;
            }
        }
    }
}
