using System.CommandLine;
using Spectre.Console;
using Wan.Convert.Inspection;

namespace Wan.Convert.Cli;

internal static class VerifyCommand
{
    public static Command Create()
    {
        var converted = CliRunner.PathArgument("CONVERTED", "converted diffusers directory");
        var source = CliRunner.PathArgument("SOURCE", "what it was converted from (original or diffusers layout)");
        var tolerance = new Option<double>("--fp8-tolerance") { Description = "largest relative L2 error accepted for an fp8 tensor", DefaultValueFactory = _ => 0.08 };
        var command = new Command("verify", "every tensor present, shapes equal, values equal under the dtype rule") { converted, source, tolerance };
        command.SetAction(r => CliRunner.Run(() =>
        {
            var result = CliRunner.WithProgress("verifying", _ => Verifier.Verify(r.GetValue(converted)!, r.GetValue(source)!, r.GetValue(tolerance)));
            foreach (var p in result.Problems)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{p.Component}/{p.Tensor}[/]: {p.Problem}");
            }
            if (result.Fp8Errors.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"fp8 tensors: {result.Fp8Errors.Count}, worst relative error {result.Fp8Errors.Max(e => e.RelativeError):E3}");
            }
            if (result.Ok)
            {
                AnsiConsole.MarkupLineInterpolated($"[green]OK[/]: {result.TensorsChecked} tensors verified");
            }
            else
            {
                AnsiConsole.MarkupLineInterpolated($"[red]FAILED[/]: {result.Problems.Count} problems in {result.TensorsChecked} tensors");
            }
            return result.Ok ? 0 : 1;
        }));
        return command;
    }
}
