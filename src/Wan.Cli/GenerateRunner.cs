using Spectre.Console;
using Wan.Runtime.Config;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Video;

namespace Wan.Cli;

/// <summary>Opens the engine on the chosen device, runs it with a live progress bar, writes the video.</summary>
internal static class GenerateRunner
{
    /// <summary>Whether the video is held in memory rather than streamed to the output: the seam report needs every frame.</summary>
    public static bool HoldsWholeVideo(string? reportPath) => reportPath is not null;

    public static int Run(string modelDir, EngineOptions options, GenerationRequest request, string outputPath, string? reportPath,
        Wan.Creative.CreativeOutput finishing, CancellationToken cancellation)
    {
        var stage = "loading the model";
        var geometry = ModelGeometry.Load(modelDir);
        try
        {
            return Run(modelDir, options, request, outputPath, reportPath, finishing, s => stage = s, cancellation);
        }
        catch (Wan.Errors.MemoryExhaustedException e) when (e.Stage != stage)
        {
            throw new Wan.Errors.MemoryExhaustedException(stage, e.Where, e.Bytes, e.Detail, e);
        }
        catch (OutOfMemoryException e)
        {
            // The runtime's OutOfMemoryException carries no size: name the stage and what it holds at least.
            long bytes = stage is "decoding" or "writing the video" ? request.DecodedVideoBytes(geometry, HoldsWholeVideo(reportPath)) : 0;
            throw new Wan.Errors.MemoryExhaustedException(stage, "host", bytes, bytes > 0 ? "what decoding holds" : "", e);
        }
    }

    private static int Run(string modelDir, EngineOptions options, GenerationRequest request, string outputPath, string? reportPath,
        Wan.Creative.CreativeOutput finishing, Action<string> enter, CancellationToken cancellation)
    {
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
        // Streamed into the output as decoded; the seam report needs every frame, so with one the video is held in memory.
        using var sink = reportPath is null ? finishing.Open(outputPath, request.Frames) : new MemoryVideoSink();
        StreamedGenerationResult? result = null;
        var experts = new ExpertStageTimes();
        var generation = System.Diagnostics.Stopwatch.StartNew();
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var text = ctx.AddTask("encoding text", maxValue: 1);
                var denoise = ctx.AddTask("denoising", maxValue: request.Steps);
                var decode = ctx.AddTask("decoding", maxValue: request.LatentShape(engine.Pipeline.Geometry)[1]);
                enter("encoding text");
                result = engine.GenerateInto(request, sink, p =>
                {
                    // A report closes a unit of work: name the stage that runs next.
                    enter(p.Stage == GenerationStage.Decoding || (p.Stage is GenerationStage.Denoising or GenerationStage.DenoisingChunk && p.Step == p.StepCount) ? "decoding" : "denoising");
                    switch (p.Stage)
                    {
                        case GenerationStage.EncodingText:
                            text.Value = 1;
                            break;
                        case GenerationStage.Denoising:
                            experts.Add(p.Expert ?? "transformer", p.StageElapsed);
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
        var total = generation.Elapsed;
        PrintStages(console, engine, result!, experts, total);
        enter("writing the video");
        sink.Complete();
        var written = VideoOutput.Target(outputPath, request.Frames);
        if (sink is MemoryVideoSink held)
        {
            enter("writing the seam report");
            var seams = SeamReport.Measure(held.Video, request.ContextWindows(engine.Pipeline.Geometry));
            seams.Write(reportPath!, cancellation);
            console.MarkupLine($"wrote [green]{Markup.Escape(reportPath!)}[/]: {seams.Windows.Count} windows, worst seam factor {seams.WorstSeamFactor:F2}");
            enter("writing the video");
            written = finishing.Write(held.Video, outputPath, cancellation);
        }
        console.MarkupLine($"wrote [green]{Markup.Escape(written)}[/]: {request.Frames} frames {request.Width}x{request.Height} " +
                           $"(text {result!.TextEncoding.TotalSeconds:F1} s, denoising {result.Denoising.TotalSeconds:F1} s, decoding {result.Decoding.TotalSeconds:F1} s)");
        if (result.StepCache is { } stepCache)
        {
            console.MarkupLine(Markup.Escape(stepCache.ToString()));
        }
        return 0;
    }

    /// <summary>
    /// One line per stage with the backend that ran it and its wall time (text encoding, each expert's
    /// denoising, decoding), then the generation's total: the stages never sum to more than it.
    /// </summary>
    private static void PrintStages(IAnsiConsole console, WanEngine engine, StreamedGenerationResult result, ExpertStageTimes experts, TimeSpan total)
    {
        var backends = engine.Pipeline.Backends;
        void Line(string stage, string backend, TimeSpan time, string detail = "") =>
            console.MarkupLine($"[grey]stage {Markup.Escape(stage)}:[/] {Markup.Escape(backend)} {time.TotalSeconds:F3} s{Markup.Escape(detail)}");
        Line("text encoding", backends.Text.Name, result.TextEncoding);
        foreach (var (expert, time, steps) in experts.Stages)
        {
            Line($"denoising {expert}", backends.Dit.Name, time, $" ({steps} steps)");
        }
        Line("decoding", backends.Vae.Name, result.Decoding);
        console.MarkupLine($"[grey]stages total:[/] {total.TotalSeconds:F3} s");
    }
}
