using System.CommandLine;
using System.Globalization;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Video;

namespace Wan.Cli;

/// <summary><c>wan generate</c>: prompt in, video file out.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "model directory in the diffusers layout (model_index.json, transformer/, ...)", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "what the video shows", Required = true };
        var negative = new Option<string>("--negative-prompt") { Description = "what to avoid (default: the model family's negative prompt)", DefaultValueFactory = _ => "" };
        var frames = new Option<int>("--frames") { Description = "number of frames, 4k+1", DefaultValueFactory = _ => WanDefaults.Frames };
        var height = new Option<int>("--height") { Description = "height in pixels, a multiple of 16", DefaultValueFactory = _ => WanDefaults.Height };
        var width = new Option<int>("--width") { Description = "width in pixels, a multiple of 16", DefaultValueFactory = _ => WanDefaults.Width };
        var steps = new Option<int>("--steps") { Description = "denoising steps", DefaultValueFactory = _ => FlowSolvers.T2VA14BSteps };
        var seed = new Option<long>("--seed") { Description = "seed of the initial noise", DefaultValueFactory = _ => 0 };
        var guidance = new Option<string>("--guidance") { Description = "guidance scales LOW,HIGH (low-noise, high-noise expert), or one value for both", DefaultValueFactory = _ => "3.0,4.0" };
        var shift = new Option<double>("--shift") { Description = "sigma shift (original T2V-A14B: 12.0; diffusers' config says 3.0)", DefaultValueFactory = _ => FlowSolvers.T2VA14BShift };
        var solver = new Option<string>("--solver") { Description = "unipc | dpm++ | euler", DefaultValueFactory = _ => "unipc" };
        solver.AcceptOnlyFromAmong([.. FlowSolvers.Names]);
        var output = new Option<FileInfo>("--output") { Description = "output video: .mp4 (needs ffmpeg), .y4m, .gif, or .png (a frame directory)", Required = true };
        var device = new Option<string>("--device")
        {
            Description = "auto (cuda when a GPU is present, else cpu) | cpu | cuda | cuda-emulated (the CUDA kernels run on the CPU; slow, for checking)",
            DefaultValueFactory = _ => "auto",
        };
        device.AcceptOnlyFromAmong([.. EngineNames.Devices]);
        var precision = new Option<string>("--precision") { Description = "storage type of the DiT on CUDA: bf16 | fp16 | fp32", DefaultValueFactory = _ => "bf16" };
        precision.AcceptOnlyFromAmong([.. EngineNames.Precisions]);
        var fps = new Option<int>("--fps") { Description = "frames per second of the output", DefaultValueFactory = _ => WanDefaults.Fps };
        var window = new Option<int>("--window") { Description = "context-window length in video frames, 4k+1 (longer videos are denoised in overlapping windows)", DefaultValueFactory = _ => WanDefaults.Frames };
        var overlap = new Option<int>("--overlap") { Description = "overlap of context windows in video frames, 4k+1, shorter than the window", DefaultValueFactory = _ => WanDefaults.OverlapFrames };
        var blending = new Option<string>("--blending") { Description = "how overlapping windows are mixed: cosine | linear", DefaultValueFactory = _ => "cosine" };
        blending.AcceptOnlyFromAmong("cosine", "linear");
        var attentionWindow = new Option<int?>("--attention-window") { Description = "sliding-window self-attention: a latent frame attends only to latent frames within W of it (default: all; CPU backend)" };
        var report = new Option<FileInfo?>("--report") { Description = "write seam statistics of the context windows to this JSON file" };

        var command = new Command("generate", "generate a video from a text prompt")
        {
            model, prompt, negative, frames, height, width, steps, seed, guidance, shift, solver, output, device, precision, fps,
            window, overlap, blending, report, attentionWindow,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var (low, high) = ParseGuidance(parse.GetValue(guidance)!);
                var request = new GenerationRequest
                {
                    Prompt = parse.GetValue(prompt)!,
                    NegativePrompt = parse.GetValue(negative)!,
                    Frames = parse.GetValue(frames),
                    Height = parse.GetValue(height),
                    Width = parse.GetValue(width),
                    Steps = parse.GetValue(steps),
                    Seed = parse.GetValue(seed),
                    GuidanceLow = low,
                    GuidanceHigh = high,
                    Shift = parse.GetValue(shift),
                    Solver = parse.GetValue(solver)!,
                    Fps = parse.GetValue(fps),
                    WindowFrames = parse.GetValue(window),
                    OverlapFrames = parse.GetValue(overlap),
                    Blending = parse.GetValue(blending) == "linear" ? WindowBlending.Linear : WindowBlending.RaisedCosine,
                    AttentionWindow = parse.GetValue(attentionWindow),
                };
                request.ContextWindows();
                var outputPath = parse.GetValue(output)!.FullName;
                if (!VideoOutput.Extensions.Contains(Path.GetExtension(outputPath).ToLowerInvariant()))
                {
                    throw new ArgumentException($"--output {outputPath}: unknown video format (use {string.Join(", ", VideoOutput.Extensions)})");
                }
                var modelDir = parse.GetValue(model)!.FullName;
                if (!Directory.Exists(modelDir))
                {
                    throw new DirectoryNotFoundException($"--model {modelDir}: directory not found");
                }
                return await Task.Run(() => GenerateRunner.Run(modelDir, parse.GetValue(device)!, parse.GetValue(precision)!, request, outputPath, parse.GetValue(report)?.FullName, cancellation), cancellation);
            }
            catch (OutOfMemoryException)
            {
                Console.Error.WriteLine($"wan: out of host memory generating {parse.GetValue(frames)} frames of {parse.GetValue(width)}x{parse.GetValue(height)}; use a shorter --window or a smaller size");
                return 2;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("wan: cancelled; no output was written");
                return 130;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                          or Wan.Runtime.Config.ConfigException or NotSupportedException or DllNotFoundException
                                          or Wan.Kernels.Interop.NativeCallException or Wan.Kernels.Device.EmulatedLaunchException
                                          or NonFiniteLatentException)
            {
                Console.Error.WriteLine($"wan: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    internal static (double Low, double High) ParseGuidance(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : double.NaN).ToArray();
        if (values.Length is < 1 or > 2 || values.Any(double.IsNaN))
        {
            throw new ArgumentException($"--guidance '{text}': expected LOW,HIGH (e.g. 3.0,4.0) or one number");
        }
        return (values[0], values[^1]);
    }
}
