using System.CommandLine;
using Spectre.Console;
using Wan.Convert.Configs;
using Wan.Convert.Precision;
using Wan.Convert.Synth;

namespace Wan.Convert.Cli;

internal static class SynthCommand
{
    public static Command Create()
    {
        var dst = CliRunner.PathArgument("DST", "new model directory (must not exist)");
        var preset = new Option<string>("--preset")
        {
            Description = $"model shapes: {string.Join(", ", WanPresets.ByName.Keys)}",
            Required = true,
        };
        preset.AcceptOnlyFromAmong([.. WanPresets.ByName.Keys]);
        var layers = new Option<int?>("--layers") { Description = "number of DiT layers (and at most that many T5 layers)" };
        var seed = new Option<ulong>("--seed") { Description = "random seed", DefaultValueFactory = _ => 42 };
        var original = new Option<bool>("--original-layout") { Description = "write the original Wan layout (expert folders, .pth T5/VAE, wan_config.json) instead of diffusers" };
        var dtype = ToDiffusersCommand.DTypeOption();
        var fp8Scale = ToDiffusersCommand.Fp8ScaleOption();
        var shard = ToDiffusersCommand.ShardOption();
        var command = new Command("synth", "write a random-weight Wan model (seeded; weights normal*0.02, norms 1)") { dst, preset, layers, seed, original, dtype, fp8Scale, shard };
        command.SetAction(r => CliRunner.Run(() =>
        {
            var options = new SynthOptions(r.GetValue(layers), r.GetValue(seed), TargetPrecisionNames.Parse(r.GetValue(dtype)!, r.GetValue(fp8Scale)!),
                r.GetValue(original), CliRunner.ParseSize(r.GetValue(shard)!));
            var config = CliRunner.WithProgress("synthesizing", p => Synthesizer.Write(r.GetValue(preset)!, r.GetValue(dst)!, options, p));
            AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {r.GetValue(dst)}: {config.Experts} DiT expert(s) x {config.Dit.Layers} layers (dim {config.Dit.Dim}), T5 {config.T5.NumLayers} layers, scheduler flow_shift {config.Pipeline.SampleShift} (official sample_shift)");
            return 0;
        }));
        return command;
    }
}
