using Spectre.Console;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Video;

namespace Wan.Cli;

/// <summary>Opens the engine on the chosen device, runs it with a live progress bar, writes the video.</summary>
internal static class GenerateRunner
{
    public static int Run(string modelDir, string device, string precision, GenerationRequest request, string outputPath, string? reportPath,
        Wan.Creative.CreativeOutput finishing, CancellationToken cancellation)
    {
        var stage = "loading the model";
        try
        {
            return Run(modelDir, device, precision, request, outputPath, reportPath, finishing, s => stage = s, cancellation);
        }
        catch (Wan.Errors.MemoryExhaustedException e) when (e.Stage != stage)
        {
            throw new Wan.Errors.MemoryExhaustedException(stage, e.Where, e.Bytes, e.Detail, e);
        }
        catch (OutOfMemoryException e)
        {
            // The runtime's OutOfMemoryException carries no size: name the stage and what it holds at least.
            long bytes = stage is "decoding" or "writing the video" ? request.DecodedVideoBytes() : 0;
            throw new Wan.Errors.MemoryExhaustedException(stage, "host", bytes, bytes > 0 ? "the decoded video" : "", e);
        }
    }

    private static int Run(string modelDir, string device, string precision, GenerationRequest request, string outputPath, string? reportPath,
        Wan.Creative.CreativeOutput finishing, Action<string> enter, CancellationToken cancellation)
    {
        var options = new EngineOptions { Device = EngineNames.ParseDevice(device), Precision = EngineNames.ParsePrecision(precision) };
        var console = AnsiConsole.Console;
        var loading = System.Diagnostics.Stopwatch.StartNew();
        using var engine = WanEngine.Open(modelDir, options);
        console.MarkupLine($"[grey]model loaded in {loading.Elapsed.TotalSeconds:F1} s[/]");
        if (engine.DeviceNote is { } note)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }
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
                var decode = ctx.AddTask("decoding", maxValue: request.LatentShape(engine.Pipeline.Geometry)[1]);
                enter("encoding text");
                result = engine.Generate(request, p =>
                {
                    // A report closes a unit of work: name the stage that runs next.
                    enter(p.Stage == GenerationStage.Decoding || (p.Stage is GenerationStage.Denoising or GenerationStage.DenoisingChunk && p.Step == p.StepCount) ? "decoding" : "denoising");
                    switch (p.Stage)
                    {
                        case GenerationStage.EncodingText:
                            text.Value = 1;
                            break;
                        case GenerationStage.Denoising:
                            denoise.Description = (p.ChunkCount > 0 ? $"chunk {p.Chunk}/{p.ChunkCount} " : "") +
                                                  $"step {p.Step}/{p.StepCount} t={p.Timestep} {Markup.Escape(p.Expert ?? "")} ({p.StageElapsed.TotalSeconds:F1} s)";
                            denoise.MaxValue = p.StepCount;
                            denoise.Value = p.Step;
                            break;
                        case GenerationStage.DenoisingChunk:
                            denoise.Description = $"chunk {p.Chunk}/{p.ChunkCount} cached";
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
            enter("writing the seam report");
            var seams = SeamReport.Measure(result!.Video, request.ContextWindows(engine.Pipeline.Geometry));
            seams.Write(reportPath, cancellation);
            console.MarkupLine($"wrote [green]{Markup.Escape(reportPath)}[/]: {seams.Windows.Count} windows, worst seam factor {seams.WorstSeamFactor:F2}");
        }
        enter("writing the video");
        var written = finishing.Write(result!.Video, outputPath, cancellation);
        console.MarkupLine($"wrote [green]{Markup.Escape(written)}[/]: {result.Video.Frames} frames {result.Video.Width}x{result.Video.Height} " +
                           $"(text {result.TextEncoding.TotalSeconds:F1} s, denoising {result.Denoising.TotalSeconds:F1} s, decoding {result.Decoding.TotalSeconds:F1} s)");
        if (result.StepCache is { } stepCache)
        {
            console.MarkupLine(Markup.Escape(stepCache.ToString()));
        }
        return 0;
    }
}
