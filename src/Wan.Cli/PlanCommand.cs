using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Wan.Errors;
using Wan.Runtime.Planning;

namespace Wan.Cli;

/// <summary>
/// <c>wan plan --model DIR|--preset a14b --height H --width W --frames F [--steps N] [--gpu-memory GB]
/// [--gpu h100|h200|l40s|4090] [--vae-memory GB] [--json]</c>: the per-stage plan of a generation on a GPU (peak device memory,
/// launches, GEMMs, FLOPs, bytes, modelled time; <see cref="DeploymentPlanner"/>). Exit 0 when it fits the
/// memory, 2 with one line saying by how much it does not (and 2 for a bad argument).
/// </summary>
internal static class PlanCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "diffusers model directory (configs and safetensors headers are read, no weight)" };
        var preset = new Option<string>("--preset") { Description = "a built-in model instead of --model: a14b (Wan2.2-T2V-A14B)" };
        var height = new Option<int>("--height") { Description = "video height", DefaultValueFactory = _ => 720 };
        var width = new Option<int>("--width") { Description = "video width", DefaultValueFactory = _ => 1280 };
        var frames = new Option<int>("--frames") { Description = "video frames (4k+1)", DefaultValueFactory = _ => 81 };
        var steps = new Option<int>("--steps") { Description = "denoising steps", DefaultValueFactory = _ => 40 };
        var memory = new Option<double?>("--gpu-memory") { Description = "device memory to fit in, GB (default: the GPU's)" };
        var vaeMemory = new Option<double?>("--vae-memory") { Description = "device memory the VAE decode may use beside its weights, GB (as wan generate's): the decode is tiled to fit" };
        var gpu = new Option<string>("--gpu") { Description = "GPU of the time model: h100, h200, l40s, 4090", DefaultValueFactory = _ => "h100" };
        var json = new Option<bool>("--json") { Description = "print the plan as JSON" };
        var command = new Command("plan", "will it fit? the per-stage memory and modelled time of a generation, from a dry run of the real code (no GPU needed)")
        {
            model, preset, height, width, frames, steps, memory, gpu, json,
        };
        command.Options.Add(vaeMemory);
        command.SetAction(parse => Run(() => Plan(parse.GetValue(model), parse.GetValue(preset), parse.GetValue(height), parse.GetValue(width),
            parse.GetValue(frames), parse.GetValue(steps), parse.GetValue(memory), parse.GetValue(gpu)!, parse.GetValue(json), parse.GetValue(vaeMemory))));
        return command;
    }

    private static int Plan(DirectoryInfo? model, string? preset, int height, int width, int frames, int steps, double? memoryGB, string gpuName, bool json,
        double? vaeMemoryGB)
    {
        if (vaeMemoryGB is { } vae)
        {
            Gigabytes.Bytes("vae-memory", vae);
        }
        if ((model is null) == (preset is null))
        {
            throw new RequestException("model", "", "give exactly one of --model DIR and --preset a14b");
        }
        if (preset is not null && preset != "a14b")
        {
            throw new RequestException("preset", preset, "the only preset is a14b (Wan2.2-T2V-A14B)");
        }
        if (memoryGB is { } gb)
        {
            Gigabytes.Bytes("gpu-memory", gb);
        }
        GpuSpec gpu;
        try
        {
            gpu = GpuSpec.Parse(gpuName);
        }
        catch (ArgumentException e)
        {
            throw new RequestException("gpu", gpuName, e.Message[(e.Message.IndexOf(':') + 2)..]);
        }
        var plan = DeploymentPlanner.Plan(new PlanRequest
        {
            ModelDirectory = model?.FullName,
            Height = height,
            Width = width,
            Frames = frames,
            Steps = steps,
            Gpu = gpu,
            GpuMemoryGB = memoryGB,
            VaeMemoryGB = vaeMemoryGB,
        });
        Console.WriteLine(json ? JsonSerializer.Serialize(ToJson(plan), Json) : plan.ToTable() + plan.Verdict);
        if (!plan.Fits)
        {
            Console.Error.WriteLine($"wan: {plan.Verdict}");
            return 2;
        }
        return 0;
    }

    private static object ToJson(DeploymentPlan plan) => new
    {
        model = plan.Model,
        height = plan.Request.Height,
        width = plan.Request.Width,
        frames = plan.Request.Frames,
        steps = plan.Request.Steps,
        gpu = plan.Request.Gpu,
        budgetBytes = plan.Request.BudgetBytes,
        latentShape = plan.LatentShape,
        tokens = plan.Tokens,
        expertBytes = plan.ExpertBytes,
        residency = plan.Residency.ToString(),
        peakByResidency = plan.PeakByResidency.ToDictionary(p => p.Key.ToString(), p => p.Value + plan.ReserveBytes),
        reserveBytes = plan.ReserveBytes,
        peakBytes = plan.PeakBytes,
        fits = plan.Fits,
        verdict = plan.Verdict,
        seconds = plan.Seconds,
        modelled = "modelled from spec sheets (roofline floors, PCIe spec rate), not measured",
        stages = plan.Stages.Select(s => new
        {
            stage = s.Stage,
            source = s.Source,
            steps = s.Steps,
            peakBytes = s.PeakBytes,
            launches = s.Launches,
            gemms = s.Gemms,
            flops = s.Flops,
            bytesMoved = s.BytesMoved,
            computeSeconds = s.ComputeSeconds,
            pcieSeconds = s.PcieSeconds,
            exposedPcieSeconds = s.ExposedPcieSeconds,
            seconds = s.Seconds,
            secondsPerStep = s.SecondsPerStep,
        }),
    };

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (RequestException e)
        {
            Console.Error.WriteLine($"wan: {e.Format("--")}");
            return 2;
        }
        catch (Exception e) when (e is WanException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"wan: {e.Message}");
            return 2;
        }
    }
}
