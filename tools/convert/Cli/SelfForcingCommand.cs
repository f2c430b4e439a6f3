using System.CommandLine;
using Spectre.Console;
using Wan.Convert.Conversion;
using Wan.Convert.Precision;
using Wan.Convert.SelfForcing;

namespace Wan.Convert.Cli;

/// <summary><c>wan-convert self-forcing CHECKPOINT BASE DST</c>: a Self-Forcing .pt on its Wan2.1 base → a diffusers folder.</summary>
internal static class SelfForcingCommand
{
    public static Command Create()
    {
        var checkpoint = CliRunner.PathArgument("CHECKPOINT", "Self-Forcing checkpoint (.pt with generator / generator_ema state dicts)");
        var baseModel = CliRunner.PathArgument("BASE", "the original Wan2.1-T2V-1.3B folder it was trained from (text encoder, VAE, tokenizer, config)");
        var dst = CliRunner.PathArgument("DST", "new diffusers directory (must not exist)");
        var weights = new Option<string>("--weights") { Description = "ema (generator_ema, what Self-Forcing's README runs) | regular (generator)", DefaultValueFactory = _ => "ema" };
        weights.AcceptOnlyFromAmong("ema", "regular");
        var dtype = ToDiffusersCommand.DTypeOption();
        var fp8Scale = ToDiffusersCommand.Fp8ScaleOption();
        var shard = ToDiffusersCommand.ShardOption();
        var command = new Command("self-forcing", "convert a Self-Forcing checkpoint (causal Wan2.1-T2V-1.3B) to the diffusers layout; generate with --preset self-forcing")
        {
            checkpoint, baseModel, dst, weights, dtype, fp8Scale, shard,
        };
        command.SetAction(r => CliRunner.Run(() =>
        {
            var options = new ConvertOptions(TargetPrecisionNames.Parse(r.GetValue(dtype)!, r.GetValue(fp8Scale)!), CliRunner.ParseSize(r.GetValue(shard)!));
            var key = r.GetValue(weights) == "regular" ? "generator" : "generator_ema";
            var dit = SelfForcingCheckpoint.Open(r.GetValue(checkpoint)!, key);
            var result = CliRunner.WithProgress("converting", p => ToDiffusersConverter.Convert(r.GetValue(baseModel)!, r.GetValue(dst)!, options, p, dit));
            AnsiConsole.MarkupLineInterpolated($"DiT from '{key}': dim {result.Config.Dit.Dim}, {result.Config.Dit.Layers} layers");
            ReportPrinter.Print(result.Tensors);
            AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {r.GetValue(dst)}");
            return 0;
        }));
        return command;
    }
}
