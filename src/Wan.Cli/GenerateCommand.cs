using System.CommandLine;
using System.Globalization;
using Wan.Creative.Templates;
using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Styles;
using Wan.Runtime.Video;

namespace Wan.Cli;

/// <summary><c>wan generate</c>: prompt in, video file out.</summary>
internal static class GenerateCommand
{
    /// <summary>The line printed just before the model is loaded: everything before it needed only the command line and the configs.</summary>
    public const string LoadingMarker = "loading the model from ";

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model folder in the diffusers layout (model_index.json, transformer/, ...)", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "what the video shows", Required = true };
        var negative = new Option<string>("--negative-prompt") { Description = "what to avoid (default: the model family's negative prompt)", DefaultValueFactory = _ => "" };
        var frames = new Option<int>("--frames") { Description = "number of frames, 4k+1", DefaultValueFactory = _ => WanDefaults.Frames };
        var height = new Option<int>("--height") { Description = "height in pixels, a multiple of 16", DefaultValueFactory = _ => WanDefaults.Height };
        var width = new Option<int>("--width") { Description = "width in pixels, a multiple of 16", DefaultValueFactory = _ => WanDefaults.Width };
        var steps = new Option<int>("--steps") { Description = "denoising steps, 1 to 1000", DefaultValueFactory = _ => FlowSolvers.T2VA14BSteps };
        var seed = new Option<long>("--seed") { Description = "seed of the initial noise", DefaultValueFactory = _ => 0 };
        var guidance = new Option<string>("--guidance") { Description = "guidance scales LOW,HIGH (low-noise, high-noise expert), or one value for both", DefaultValueFactory = _ => "3.0,4.0" };
        var shift = new Option<double>("--shift") { Description = "sigma shift (original T2V-A14B: 12.0; diffusers' config says 3.0)", DefaultValueFactory = _ => FlowSolvers.T2VA14BShift };
        var solver = new Option<string>("--solver") { Description = "unipc | dpm++ | euler | step-distill (4 steps; see --preset lightning)", DefaultValueFactory = _ => "unipc" };
        solver.AcceptOnlyFromAmong([.. FlowSolvers.Names]);
        var output = new Option<string>("--output") { Description = "output video: .mp4 (needs ffmpeg), .y4m, .gif, or .png (one frame: that file; several: a folder of frames)", Required = true };
        var device = new Option<string>("--device")
        {
            Description = "auto (cuda when a GPU is present, else cpu) | cpu | cuda | cuda-emulated (the CUDA kernels run on the CPU; slow, for checking)",
            DefaultValueFactory = _ => "auto",
        };
        device.AcceptOnlyFromAmong([.. EngineNames.Devices]);
        var precision = new Option<string>("--precision") { Description = "storage type of every component on CUDA: bf16 | fp16 | fp32", DefaultValueFactory = _ => "bf16" };
        precision.AcceptOnlyFromAmong([.. EngineNames.Precisions]);
        var componentDevices = new ComponentDeviceOptions();
        var vaeMemory = new VaeMemoryOptions();
        var expertsResident = new Option<string>("--experts-resident")
        {
            Description = "both (default: both DiT experts on the device) | active (only the running expert: saves one expert's weights, reloads at each switch; wan plan's \"only the active expert resident\") | streamed (CUDA only: two transformer blocks on the device, the others uploaded per forward, double-buffered; LoRA unmerged)",
            DefaultValueFactory = _ => "both",
        };
        expertsResident.AcceptOnlyFromAmong("both", "active", "streamed");
        var fps = new Option<int>("--fps") { Description = "frames per second of the output, at least 1", DefaultValueFactory = _ => WanDefaults.Fps };
        var creative = new CreativeOptions();
        var lora = new Option<string[]>("--lora")
        {
            Description = "LoRA FILE[:STRENGTH[:high|low|both]] (strength 1, both experts by default); repeatable, stacked additively",
            AllowMultipleArgumentsPerToken = false,
        };
        var loraMode = new Option<string>("--lora-mode")
        {
            Description = "auto (unmerged on the CPU, whose merged weights would be fp32 copies) | merged (W + s·B·A once) | unmerged (low-rank GEMMs every step)",
            DefaultValueFactory = _ => "auto",
        };
        loraMode.AcceptOnlyFromAmong("auto", "merged", "unmerged");
        var loraDeltas = new Option<string>("--lora-deltas")
        {
            Description = "all (every .diff/.diff_b, as LightX2V/ComfyUI) | diffusers (drop the norm deltas diffusers ignores)",
            DefaultValueFactory = _ => "all",
        };
        loraDeltas.AcceptOnlyFromAmong("all", "diffusers");
        var style = new Option<string>("--style") { Description = "apply a style of the library (prompt additions, negative prompt, recommended settings); explicit options win" };
        var styles = StylesCommand.FolderOption();
        var preset = new Option<string>("--preset") { Description = "sampling preset: official | lightning (4-step distill sampler, shift 5, no CFG) | self-forcing (the same sampler in chunks of 3 latent frames with the K/V cache); explicit options win" };
        preset.AcceptOnlyFromAmong([.. SamplingPreset.All.Select(p => p.Name)]);
        var cache = new Option<double?>("--cache") { Description = "TeaCache step caching threshold (0: cache on, never skips; larger skips more DiT forwards)" };
        var window = new Option<int>("--window") { Description = "context-window length in video frames, 4k+1 (longer videos are denoised in overlapping windows)", DefaultValueFactory = _ => WanDefaults.Frames };
        var overlap = new Option<int>("--overlap") { Description = "overlap of context windows in video frames, 4k+1, shorter than the window", DefaultValueFactory = _ => WanDefaults.OverlapFrames };
        var blending = new Option<string>("--blending") { Description = "how overlapping windows are mixed: cosine | linear", DefaultValueFactory = _ => "cosine" };
        blending.AcceptOnlyFromAmong("cosine", "linear");
        var attentionWindow = new Option<int?>("--attention-window") { Description = "sliding-window self-attention: a latent frame attends only to latent frames within R of it (default: all)" };
        var report = new Option<FileInfo?>("--report") { Description = "write seam statistics of the context windows to this JSON file" };
        var chunkFrames = new Option<int?>("--chunk-frames") { Description = "chunked (autoregressive) generation: latent frames per chunk, each attending to the K/V cache of earlier chunks" };
        var kvFrames = new Option<int?>("--kv-frames") { Description = "with --chunk-frames: earlier latent frames the K/V cache keeps (default: all)" };
        var sinkFrames = new Option<int>("--sink-frames") { Description = "with --chunk-frames: first latent frames the K/V cache never evicts", DefaultValueFactory = _ => 0 };

        var command = new Command("generate", "generate a video from a text prompt")
        {
            model, prompt, negative, frames, height, width, steps, seed, guidance, shift, solver, output, device, precision, fps,
            lora, loraMode, loraDeltas,
            style, styles, preset, cache,
            window, overlap, blending, attentionWindow, report,
            chunkFrames, kvFrames, sinkFrames,
        };
        creative.AddTo(command);
        componentDevices.AddTo(command);
        command.Options.Add(expertsResident);
        vaeMemory.AddTo(command);
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
                    Loras = new LoraSet((parse.GetValue(lora) ?? []).Select(LoraSpec.Parse),
                        parse.GetValue(loraDeltas) == "diffusers" ? LoraMergeSemantics.Diffusers : LoraMergeSemantics.AllDeltas),
                    LoraMode = parse.GetValue(loraMode) switch { "unmerged" => LoraMode.Unmerged, "merged" => LoraMode.Merged, _ => LoraMode.Auto },
                    CacheThreshold = parse.GetValue(cache),
                    WindowFrames = parse.GetValue(window),
                    OverlapFrames = parse.GetValue(overlap),
                    Blending = parse.GetValue(blending) == "linear" ? WindowBlending.Linear : WindowBlending.RaisedCosine,
                    AttentionWindow = parse.GetValue(attentionWindow),
                    ChunkFrames = parse.GetValue(chunkFrames),
                    KvFrames = parse.GetValue(kvFrames),
                    SinkFrames = parse.GetValue(sinkFrames),
                };
                var outputPath = parse.GetValue(output)!;
                bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
                var explicitSettings = new (RequestSetting Setting, Option[] Options)[]
                {
                    (RequestSetting.NegativePrompt, [negative]), (RequestSetting.Size, [height, width]), (RequestSetting.Frames, [frames]),
                    (RequestSetting.Steps, [steps]), (RequestSetting.Guidance, [guidance]), (RequestSetting.Shift, [shift]),
                    (RequestSetting.Solver, [solver]), (RequestSetting.Fps, [fps]),
                }.Where(s => s.Options.Any(Given)).Select(s => s.Setting).ToHashSet();
                var (prepared, finishing) = await creative.Prepare(parse, request, explicitSettings, outputPath, cancellation);
                using var finishingScope = finishing;
                request = prepared.Request;
                // The template first (its pinned settings), then the style (its sampling recommendations go with its LoRAs).
                var samplingPreset = parse.GetValue(preset) is { } presetName ? SamplingPreset.Named(presetName) : null;
                request = StyledRequest.Apply(request, StylesCommand.Find(parse.GetValue(style) ?? prepared.TemplateStyle, parse.GetValue(styles)), samplingPreset, option =>
                    Given(option switch
                    {
                        StyleSetting.NegativePrompt => negative,
                        StyleSetting.Steps => steps,
                        StyleSetting.Guidance => guidance,
                        StyleSetting.Shift => shift,
                        _ => solver,
                    }));
                if (samplingPreset?.ChunkFrames is { } presetChunks && !Given(chunkFrames))
                {
                    request = request with { ChunkFrames = presetChunks };
                }
                // Everything that needs only the command line and the configs is checked before the
                // model loads: a mistake costs a second, not a generation.
                request.Validate();
                if (parse.GetValue(expertsResident) == "streamed" && request.LoraMode == LoraMode.Merged && request.Loras is { IsEmpty: false })
                {
                    throw new NotSupportedException("--lora-mode merged cannot apply to --experts-resident streamed (a merged weight would be a resident copy of a streamed one): use --lora-mode unmerged");
                }
                VideoOutput.Check(outputPath, request.Frames);
                var modelDir = parse.GetValue(model)!;
                CheckModelFolder(modelDir);
                var geometry = ModelGeometry.Load(modelDir);
                var latentShape = request.LatentShape(geometry);
                request.ContextWindows(geometry);
                ChunkedOptions.Check(request, geometry, new Option[] { window, overlap, blending, report }.Where(Given).Select(o => o.Name));
                request.CheckHostMemory(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, geometry, GenerateRunner.HoldsWholeVideo(parse.GetValue(report)?.FullName));
                if (request.Loras is { } loras)
                {
                    LoraPreflight.Check(loras, modelDir);
                }
                var routed = componentDevices.Engine(parse, parse.GetValue(device)!, parse.GetValue(precision)!) with
                {
                    ExpertResidency = Enum.Parse<ExpertResidency>(parse.GetValue(expertsResident)!, ignoreCase: true),
                };
                DevicePreflight.CheckCudaPresent(routed);
                DevicePreflight.CheckStreamed(routed);
                var engine = vaeMemory.Apply(parse, routed, modelDir, latentShape);
                Console.WriteLine(LoadingMarker + Path.GetFullPath(modelDir));
                return await Task.Run(() => GenerateRunner.Run(modelDir, engine, request, outputPath, parse.GetValue(report)?.FullName, finishing, cancellation), cancellation);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("wan: cancelled; no output was written");
                return 130;
            }
            catch (RequestException e)
            {
                Console.Error.WriteLine($"wan: {e.Format("--")}");
                return 2;
            }
            catch (Exception e) when (e is WanException or IOException or InvalidDataException or UnauthorizedAccessException or DllNotFoundException
                                          or NotSupportedException)
            {
                // Every error a user can cause is one line. Besides WanException: file-system failures,
                // the component loaders that do not throw a WanException subtype yet, a native library the
                // runtime itself fails to load, and a GPU architecture NVRTC cannot target.
                Console.Error.WriteLine($"wan: {OneLine(e.Message)}");
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
            throw new RequestException("guidance", $"'{text}'", "expected LOW,HIGH (e.g. 3.0,4.0) or one finite number");
        }
        return (values[0], values[^1]);
    }

    /// <summary>A model path that is no folder is a bad --model argument: name the option.</summary>
    private static void CheckModelFolder(string path)
    {
        try
        {
            ModelFolder.Check(path);
        }
        catch (ModelFileException e)
        {
            throw new RequestException("model", path, e.Problem);
        }
    }

    private static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
