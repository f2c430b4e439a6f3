using System.Globalization;
using BenchmarkDotNet.Attributes;
using Wan.Bench.Profile;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench;

/// <summary>
/// The per-step cost of a LoRA on the CPU backend, side by side: one CFG denoising step (two DiT
/// forwards, 768 tokens = 256×256, 9 frames) of a Wan2.1-1.3B-shaped expert (random BF16 weights,
/// mapped, <see cref="Layers"/> blocks) with no LoRA, with a rank-<see cref="Rank"/> LoRA on all ten linears of
/// every block unmerged (two skinny GEMMs per linear), and merged (weights W + s·B·A built once,
/// stored fp32). <see cref="MergeSet"/> times building the merged binding (the cost of a style switch in merged mode).
/// Run: <c>dotnet run -c Release --project bench/Wan.Bench -- --filter '*LoraBench*'</c>.
/// </summary>
[Config(typeof(BenchConfig))]
public class LoraBench
{
    /// <summary>Blocks of the synthetic expert (30 in the real 1.3B model; the per-block cost is what matters).</summary>
    public const int Layers = 2;

    /// <summary>LoRA rank (the lightx2v distill LoRAs use 64).</summary>
    public const int Rank = 64;

    private CpuBackend _backend = null!;
    private WanTransformer _dit = null!;
    private Tensor _latent = null!, _context = null!;
    private DitTextContext _cond = null!, _uncond = null!;
    private LoraBinding? _binding;
    private string _loraPath = "";

    /// <summary>none | unmerged | merged.</summary>
    [Params("none", "unmerged", "merged")]
    public string Mode { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        var shape = SyntheticDit.Wan21T2V1_3B(Layers);
        var directory = Path.Combine(Path.GetTempPath(), $"wan-bench-dit-{shape.Dim}x{shape.FfnDim}-{Layers}l-bf16");
        if (!File.Exists(Path.Combine(directory, "diffusion_pytorch_model.safetensors")))
        {
            shape.Write(directory, seed: 7);
        }
        _loraPath = Path.Combine(Path.GetTempPath(), $"wan-bench-lora-{shape.Dim}x{shape.FfnDim}-{Layers}l-r{Rank}.safetensors");
        if (!File.Exists(_loraPath))
        {
            WriteLora(_loraPath, shape);
        }
        _backend = new CpuBackend();
        _dit = WanTransformer.Load(_backend, directory);
        var random = new Random(11);
        float[] Noise(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => random.NextSingle() * 2 - 1)];
        _latent = _backend.FromHost(Noise(16L * 3 * 32 * 32), new Shape(16, 3, 32, 32));
        _context = _backend.FromHost(Noise(24L * shape.TextDim), new Shape(24, shape.TextDim));
        _binding = Mode == "none" ? null : Bind(Mode == "merged" ? LoraMode.Merged : LoraMode.Unmerged);
        _cond = _dit.PrepareText(_context, _binding);
        _uncond = _dit.PrepareText(_context, _binding);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cond.Dispose();
        _uncond.Dispose();
        _binding?.Dispose();
        _latent.Dispose();
        _context.Dispose();
        _dit.Dispose();
        _backend.Dispose();
    }

    /// <summary>One CFG step: the conditional and unconditional forwards.</summary>
    [Benchmark]
    public long CfgStep()
    {
        using var c = _dit.Forward(_latent, 937, _cond);
        using var u = _dit.Forward(_latent, 937, _uncond);
        return c.ElementCount + u.ElementCount;
    }

    /// <summary>Building the LoRA binding in the benchmark's mode (read file, concatenate; merged: W + s·B·A for every adapted linear).</summary>
    [Benchmark]
    public int MergeSet()
    {
        if (Mode == "none")
        {
            return 0;
        }
        using var binding = Bind(Mode == "merged" ? LoraMode.Merged : LoraMode.Unmerged);
        return binding.AdaptedLinears;
    }

    private LoraBinding Bind(LoraMode mode) => LoraBinding.Create(_dit, [new LoraSpec(_loraPath, 0.8f)], LoraMergeSemantics.AllDeltas, mode);

    /// <summary>A diffusers-keyed BF16 LoRA of rank <see cref="Rank"/> on the ten linears of every block, alpha = rank.</summary>
    private static void WriteLora(string path, SyntheticDit shape)
    {
        int d = shape.Dim;
        var entries = new List<(string Name, DType DType, Shape Shape)>();
        for (int i = 0; i < Layers; i++)
        {
            foreach (var (module, outputs, inputs) in new[]
                     {
                         ("attn1.to_q", d, d), ("attn1.to_k", d, d), ("attn1.to_v", d, d), ("attn1.to_out.0", d, d),
                         ("attn2.to_q", d, d), ("attn2.to_k", d, d), ("attn2.to_v", d, d), ("attn2.to_out.0", d, d),
                         ("ffn.net.0.proj", shape.FfnDim, d), ("ffn.net.2", d, shape.FfnDim),
                     })
            {
                entries.Add(($"transformer.blocks.{i}.{module}.lora_A.weight", DType.BF16, new Shape(Rank, inputs)));
                entries.Add(($"transformer.blocks.{i}.{module}.lora_B.weight", DType.BF16, new Shape(outputs, Rank)));
            }
        }
        var random = new Random(5);
        using var writer = new SafetensorsWriter(path, entries,
            new Dictionary<string, string> { ["rank"] = Rank.ToString(CultureInfo.InvariantCulture) });
        foreach (var (name, _, s) in entries)
        {
            var values = new ushort[s.ElementCount];
            float scale = 0.02f / MathF.Sqrt(s[1]);
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = FloatCodec.FloatToBF16(scale * (random.NextSingle() * 2 - 1));
            }
            writer.WriteTensor(name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        writer.Commit();
    }
}
