using Spectre.Console;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Video;

namespace Wan.Cli;

/// <summary>Opens the engine on the chosen device, runs it with a live progress bar, writes the video.</summary>
internal static class GenerateRunner
{
    public static int Run(string modelDir, string device, string precision, GenerationRequest request, string outputPath, string? reportPath, CancellationToken cancellation)
    {
        var options = new EngineOptions { Device = EngineNames.ParseDevice(device), Precision = EngineNames.ParsePrecision(precision) };
        var console = AnsiConsole.Console;
        using var engine = WanEngine.Open(modelDir, options);
        if (engine.DeviceNote is { } note)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }
        console.MarkupLine($"[grey]model:[/] {Markup.Escape(modelDir)}");
        foreach (var placement in engine.Placement)
        {
            console.MarkupLine($"[grey]{Markup.Escape(placement.Component)}:[/] {Markup.Escape(placement.Backend)}" +
                               (placement.Reason is { } reason ? $" [grey]({Markup.Escape(reason)})[/]" : ""));
        }
        GenerationResult? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var text = ctx.AddTask("encoding text", maxValue: 1);
                var denoise = ctx.AddTask("denoising", maxValue: request.Steps);
                var decode = ctx.AddTask("decoding", maxValue: request.LatentShape()[1]);
                result = engine.Generate(request, p =>
                {
                    switch (p.Stage)
                    {
                        case GenerationStage.EncodingText:
                            text.Value = 1;
                            break;
                        case GenerationStage.Denoising:
                            denoise.Description = $"step {p.Step}/{p.StepCount} t={p.Timestep} {Markup.Escape(p.Expert ?? "")} ({p.StageElapsed.TotalSeconds:F1} s)";
                            denoise.Value = p.Step;
                            break;
                        case GenerationStage.DenoisingWindow:
                            denoise.Description = $"step {p.Step}/{p.StepCount} window {p.Window}/{p.WindowCount} t={p.Timestep} {Markup.Escape(p.Expert ?? "")}";
                            denoise.Value = p.Step - 1 + (double)p.Window / p.WindowCount;
                            break;
                        case GenerationStage.Decoding:
                            decode.Description = $"decoding latent frame {p.Step}/{p.StepCount}";
                            decode.Value = p.Step;
                            break;
                    }
                }, cancellation);
            });
        if (reportPath is not null)
        {
            var seams = SeamReport.Measure(result!.Video, request.ContextWindows());
            seams.Write(reportPath, cancellation);
            console.MarkupLine($"wrote [green]{Markup.Escape(reportPath)}[/]: {seams.Windows.Count} windows, worst seam factor {seams.WorstSeamFactor:F2}");
        }
        VideoOutput.Write(result!.Video, outputPath, cancellation);
        console.MarkupLine($"wrote [green]{Markup.Escape(outputPath)}[/]: {result.Video.Frames} frames {result.Video.Width}x{result.Video.Height} " +
                           $"(text {result.TextEncoding.TotalSeconds:F1} s, denoising {result.Denoising.TotalSeconds:F1} s, decoding {result.Decoding.TotalSeconds:F1} s)");
        return 0;
    }
}
