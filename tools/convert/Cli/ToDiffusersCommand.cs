using System.CommandLine;
using Spectre.Console;
using Wan.Convert.Conversion;
using Wan.Convert.Precision;

namespace Wan.Convert.Cli;

internal static class ToDiffusersCommand
{
    /// <summary>--dtype; a value outside the list is a parse error naming the option.</summary>
    public static Option<string> DTypeOption()
    {
        var option = new Option<string>("--dtype")
        {
            Description = "precision of weight matrices: fp32, bf16, fp16 or fp8 (e4m3); biases, norms and modulation stay fp32, the VAE stays fp32",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong("fp32", "bf16", "fp16", "fp8");
        return option;
    }

    /// <summary>--fp8-scale; checked even when --dtype is not fp8, so a typo never passes silently.</summary>
    public static Option<string> Fp8ScaleOption()
    {
        var option = new Option<string>("--fp8-scale")
        {
            Description = "fp8 scales: 'tensor' (one per tensor) or 'channel' (one per output row), stored as NAME_scale (float32)",
            DefaultValueFactory = _ => "tensor",
        };
        option.AcceptOnlyFromAmong("tensor", "channel");
        return option;
    }

    public static Option<string> ShardOption() => new("--max-shard-size")
    {
        Description = "largest shard file, e.g. 5GB or 500MB",
        DefaultValueFactory = _ => "5GB",
    };

    public static Command Create()
    {
        var src = CliRunner.PathArgument("SRC", "original Wan checkpoint directory (Wan2.2 A14B or single-DiT Wan2.1)");
        var dst = CliRunner.PathArgument("DST", "new diffusers directory (must not exist)");
        var dtype = DTypeOption();
        var fp8Scale = Fp8ScaleOption();
        var shard = ShardOption();
        var options = new Option<string?>("--options") { Description = "JSON file with hyper-parameters (wan_config.json keys) that override the source" };
        var command = new Command("to-diffusers", "convert an original Wan checkpoint to the diffusers layout") { src, dst, dtype, fp8Scale, shard, options };
        command.SetAction(r => CliRunner.Run(() =>
        {
            var convertOptions = new ConvertOptions(
                TargetPrecisionNames.Parse(r.GetValue(dtype)!, r.GetValue(fp8Scale)!),
                CliRunner.ParseSize(r.GetValue(shard)!),
                r.GetValue(options));
            var result = CliRunner.WithProgress("converting", p => ToDiffusersConverter.Convert(r.GetValue(src)!, r.GetValue(dst)!, convertOptions, p));
            var c = result.Config;
            AnsiConsole.MarkupLineInterpolated($"DiT: {c.Experts} expert(s), dim {c.Dit.Dim}, {c.Dit.Heads} heads, {c.Dit.Layers} layers; T5: {c.T5.NumLayers} layers, vocab {c.T5.VocabSize}; sample_shift {c.Pipeline.SampleShift}, boundary {c.Pipeline.BoundaryRatio?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
            ReportPrinter.Print(result.Tensors);
            AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {r.GetValue(dst)}");
            return 0;
        }));
        return command;
    }
}
