using Spectre.Console;
using Wan.Convert.Precision;

namespace Wan.Convert.Cli;

/// <summary>Prints what a conversion did to precision: fp16 saturation counts and fp8 errors per tensor.</summary>
internal static class ReportPrinter
{
    public static void Print(IReadOnlyList<TensorReport> reports)
    {
        var byTarget = reports.GroupBy(r => r.Target).Select(g => $"{g.Key}: {g.Count()}");
        AnsiConsole.MarkupLineInterpolated($"tensors written: {reports.Count} ({string.Join(", ", byTarget)})");
        var saturated = reports.Where(r => r.SaturatedToF16Max > 0).ToList();
        if (reports.Any(r => r.Target == Wan.Runtime.Tensors.DType.F16))
        {
            AnsiConsole.MarkupLineInterpolated($"fp16: {saturated.Sum(r => r.SaturatedToF16Max)} finite values outside +-65504 were saturated to +-65504 ({saturated.Count} tensors)");
            foreach (var r in saturated)
            {
                AnsiConsole.MarkupLineInterpolated($"  {r.Component}/{r.Name}: {r.SaturatedToF16Max} of {r.Elements}");
            }
        }
        var fp8 = reports.Where(r => r.Fp8RelativeError is not null).ToList();
        if (fp8.Count > 0)
        {
            var table = new Table().AddColumns("component", "tensor", "fp8 rel. L2 error");
            foreach (var r in fp8)
            {
                table.AddRow(r.Component, Markup.Escape(r.Name), r.Fp8RelativeError!.Value.ToString("E3", System.Globalization.CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"fp8: worst relative error {fp8.Max(r => r.Fp8RelativeError!.Value):E3}, mean {fp8.Average(r => r.Fp8RelativeError!.Value):E3}");
        }
    }
}
