using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Wan.Convert.Inspection;

namespace Wan.Convert.Cli;

internal static class InspectCommand
{
    public static Command Create()
    {
        var path = CliRunner.PathArgument("PATH", "diffusers or original model directory, or one .safetensors/.pth/.index.json, or a LoRA .safetensors");
        var tensors = new Option<bool>("--tensors") { Description = "list every tensor" };
        var command = new Command("inspect", "tensors, dtypes, shapes, sizes and config summary") { path, tensors };
        command.SetAction(r => CliRunner.Run(() =>
        {
            if (LoraInspector.IsLora(r.GetValue(path)!))
            {
                return DescribeLora(r.GetValue(path)!);
            }
            var result = Inspector.Inspect(r.GetValue(path)!);
            AnsiConsole.MarkupLineInterpolated($"{result.Path} ({result.Layout} layout)");
            var summary = new Table().AddColumns("component", "tensors", "parameters", "bytes", "by dtype");
            foreach (var c in result.Components)
            {
                summary.AddRow(c.Name, c.Tensors.Count.ToString(CultureInfo.InvariantCulture), c.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                    c.Bytes.ToString("N0", CultureInfo.InvariantCulture), string.Join(", ", c.BytesByDType.Select(p => $"{p.Key} {p.Value:N0}")));
                if (r.GetValue(tensors))
                {
                    foreach (var t in c.Tensors)
                    {
                        summary.AddRow("", Markup.Escape(t.Name), t.Shape.ToString(), t.ByteLength.ToString("N0", CultureInfo.InvariantCulture), t.DType.ToString());
                    }
                }
            }
            summary.AddRow("[bold]total[/]", result.Components.Sum(c => c.Tensors.Count).ToString(CultureInfo.InvariantCulture),
                result.Components.Sum(c => c.Parameters).ToString("N0", CultureInfo.InvariantCulture), result.Components.Sum(c => c.Bytes).ToString("N0", CultureInfo.InvariantCulture), "");
            AnsiConsole.Write(summary);
            if (result.Config.Count > 0)
            {
                var config = new Table().AddColumns("file", "key", "value");
                foreach (var (file, key, value) in result.Config)
                {
                    config.AddRow(Markup.Escape(file), Markup.Escape(key), Markup.Escape(value));
                }
                AnsiConsole.Write(config);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>A LoRA file: format, rank, alpha, targeted modules, experts; a LoRA that cannot be used: its offending keys.</summary>
    private static int DescribeLora(string path)
    {
        try
        {
            foreach (var line in LoraInspector.Describe(path).Lines())
            {
                Console.Out.WriteLine(line);
            }
            return 0;
        }
        catch (Wan.Runtime.Lora.LoraFormatException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }
}
