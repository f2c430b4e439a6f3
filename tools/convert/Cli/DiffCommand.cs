using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Wan.Convert.Inspection;

namespace Wan.Convert.Cli;

internal static class DiffCommand
{
    public static Command Create()
    {
        var a = CliRunner.PathArgument("A", "model directory or weight file");
        var b = CliRunner.PathArgument("B", "model directory or weight file");
        var command = new Command("diff", "tensors only on one side, dtype/shape changes, value differences (relative L2, max abs)") { a, b };
        command.SetAction(r => CliRunner.Run(() =>
        {
            var entries = CliRunner.WithProgress("comparing", _ => Differ.Diff(r.GetValue(a)!, r.GetValue(b)!));
            if (entries.Count == 0)
            {
                AnsiConsole.MarkupLine("[green]identical[/]");
                return 0;
            }
            var table = new Table().AddColumns("component", "tensor", "difference", "rel. L2", "max abs");
            foreach (var e in entries)
            {
                table.AddRow(e.Component, Markup.Escape(e.Tensor), Markup.Escape(e.Difference),
                    e.RelativeL2?.ToString("E3", CultureInfo.InvariantCulture) ?? "", e.MaxAbs?.ToString("E3", CultureInfo.InvariantCulture) ?? "");
            }
            AnsiConsole.Write(table);
            return 1;
        }));
        return command;
    }
}
