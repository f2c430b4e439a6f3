using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Weights;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// Opens an engine with a given <see cref="ExpertResidency"/> and runs a <c>pipeline</c> golden's inputs through its
/// stages (text, denoising with the latent checked after every step, decode), recording the emulated device's memory.
/// </summary>
internal sealed class ExpertResidencyRun : IDisposable
{
    private EmulatedDevice? _device;

    public ExpertResidencyRun(string modelDirectory, EngineOptions options)
    {
        Engine = WanEngine.Open(modelDirectory, options with
        {
            WrapBackend = backend =>
            {
                _device ??= (backend as CudaBackend)?.Device as EmulatedDevice;
                return backend;
            },
        });
        BytesAfterOpen = _device?.AllocatedBytes ?? 0;
    }

    public WanEngine Engine { get; }

    /// <summary>The emulated device's live bytes right after open (0 on the CPU).</summary>
    public long BytesAfterOpen { get; }

    /// <summary>The emulated device, or null on the CPU.</summary>
    public EmulatedDevice? Device => _device;

    /// <summary>Runs the case once (latents within <paramref name="tolerance"/> of the golden after every step); returns x0, video_raw and the device peak of the run.</summary>
    public (float[] X0, float[] Video, long PeakBytes) Generate(FixtureCase c, SafetensorsFile golden, double tolerance)
    {
        var (x0, _) = Denoise(c, golden, tolerance);
        var video = Engine.Pipeline.DecodeRaw(x0, golden.Get("noise").Shape.ToArray());
        return (x0, video, _device?.PeakBytes ?? 0);
    }

    /// <summary>
    /// Encodes the case's prompts and denoises them with <paramref name="adapters"/> bound (latents within
    /// <paramref name="tolerance"/> of the golden after every step); returns x0 and the emulated device's peak of the
    /// run (0 on another device).
    /// </summary>
    public (float[] X0, long PeakBytes) Denoise(FixtureCase c, SafetensorsFile golden, double tolerance, ExpertAdapters? adapters = null)
    {
        var pipeline = Engine.Pipeline;
        var p = c.Params;
        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        _device?.ResetPeak();
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        var solver = FlowSolvers.Create(p.GetProperty("solver").GetString()!, p.GetProperty("steps").GetInt32(), p.GetProperty("shift").GetDouble());
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());
        var noise = golden.Get("noise");
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;
        var x0 = pipeline.Denoise(context, negative, noise.ToFloatArray(), noise.Shape.ToArray(), solver, experts, step =>
            Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tolerance, $"{c} latent after step {step.Step}"),
            adapters: adapters);
        return (x0, _device?.PeakBytes ?? 0);
    }

    public void Dispose() => Engine.Dispose();
}
