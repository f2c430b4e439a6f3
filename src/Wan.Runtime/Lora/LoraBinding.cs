using Wan.Kernels;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Lora;

/// <summary>
/// A LoRA stack resolved for one loaded DiT expert, on that expert's backend: what its linears consult
/// during a request (<see cref="WanTransformer.PrepareText"/> takes it). Unmerged: per adapted linear the
/// concatenated A's (down [ΣRᵢ, in]) and scaled B's (up [out, ΣRᵢ], column block i = sᵢ·(alphaᵢ/rᵢ)·Bᵢ);
/// merged: W' = W + up·down computed once on the host (OpenBLAS sgemm, fp32) and stored in the backend's
/// weight storage. In both modes the small full deltas (biases, norms, <c>proj_out</c>) are replaced
/// parameters P' = P + Σᵢ sᵢ·deltaᵢ (accumulated in float64). The base weights are only read, never
/// changed. The merge reads the base weight through <see cref="Backends.IBackend.ToHost"/> and writes
/// through <see cref="Backends.IBackend.FromHost"/>, so it does not depend on how weights are stored.
/// </summary>
public sealed class LoraBinding : IDisposable
{
    private readonly Dictionary<string, (Tensor Down, Tensor Up)> _lowRank = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _replaced = new(StringComparer.Ordinal);

    private readonly IReadOnlyList<LoraSpec> _specs;
    private readonly LoraMergeSemantics _semantics;
    private bool _released;

    private LoraBinding(WanTransformer owner, IReadOnlyList<LoraSpec> specs, LoraMergeSemantics semantics, LoraMode mode)
    {
        Owner = owner;
        _specs = [.. specs];
        _semantics = semantics;
        Mode = mode;
    }

    /// <summary><see cref="LoraMode.Merged"/> or <see cref="LoraMode.Unmerged"/>.</summary>
    public LoraMode Mode { get; }

    /// <summary>Linears adapted by low-rank factors (unmerged) or merged weights (merged).</summary>
    public int AdaptedLinears { get; private set; }

    /// <summary>Elements held in backend memory by this binding (factors, merged weights, replaced parameters).</summary>
    public long ElementCount => checked(_lowRank.Values.Sum(f => f.Down.ElementCount + f.Up.ElementCount) + _replaced.Values.Sum(t => t.ElementCount));

    internal WanTransformer Owner { get; }

    /// <summary>
    /// Opens (validating against the expert's config) and resolves <paramref name="specs"/> for <paramref name="expert"/>.
    /// </summary>
    /// <exception cref="LoraFormatException">A file that is missing, unrecognised or does not fit the expert (keys listed).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is <see cref="LoraMode.Auto"/> (resolve it first).</exception>
    /// <exception cref="NotSupportedException">a merged binding for an expert whose blocks stream (<see cref="WanTransformer.IsStreamed"/>), or a
    /// full delta of a streamed block's parameter: the merged copy would have to be resident, so streamed experts bind unmerged.</exception>
    public static LoraBinding Create(WanTransformer expert, IReadOnlyList<LoraSpec> specs, LoraMergeSemantics semantics, LoraMode mode)
    {
        ArgumentNullException.ThrowIfNull(expert);
        ArgumentNullException.ThrowIfNull(specs);
        if (mode == LoraMode.Auto)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "a binding is merged or unmerged");
        }
        if (mode == LoraMode.Merged && expert.IsStreamed)
        {
            throw new NotSupportedException("a merged LoRA cannot apply to a DiT expert whose blocks stream (--experts-resident streamed): use --lora-mode unmerged");
        }
        var binding = new LoraBinding(expert, specs, semantics, mode);
        try
        {
            if (expert.WeightsResident)
            {
                binding.Build();
            }
            else
            {
                // Only the active expert is resident: check the files now, build when the expert's first step loads it.
                binding.OpenFiles().ForEach(f => f.File.Dispose());
                binding._released = true;
            }
            expert.Track(binding);
            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Frees a merged binding's copies (derived from the base weights) when its expert releases its weights
    /// (<see cref="WanTransformer.ReleaseWeights"/>); <see cref="EnsureBuilt"/> merges again from the reloaded base.
    /// Unmerged factors do not depend on the base weights and stay.
    /// </summary>
    internal void ReleaseMerged()
    {
        if (Mode == LoraMode.Merged && !_released)
        {
            FreeTensors();
            _released = true;
        }
    }

    /// <summary>Merges again after <see cref="ReleaseMerged"/> (the expert's weights are reloaded by reading them).</summary>
    /// <exception cref="LoraFormatException">a file of the set changed or disappeared since the binding was made.</exception>
    internal void EnsureBuilt()
    {
        if (_released)
        {
            AdaptedLinears = 0;
            Build();
            _released = false;
        }
    }

    private List<(LoraFile File, float Strength)> OpenFiles()
    {
        var files = new List<(LoraFile File, float Strength)>();
        try
        {
            foreach (var spec in _specs)
            {
                files.Add((LoraFile.Open(spec.Path, Owner.Config), spec.Strength));
            }
            return files;
        }
        catch
        {
            files.ForEach(f => f.File.Dispose());
            throw;
        }
    }

    private void Build()
    {
        var files = OpenFiles();
        try
        {
            Build(files, _semantics);
        }
        catch
        {
            FreeTensors();
            throw;
        }
        finally
        {
            files.ForEach(f => f.File.Dispose());
        }
    }

    /// <summary>The replacement of a parameter (merged weight, bias + diff_b, norm + diff), else <paramref name="baseTensor"/>.</summary>
    internal Tensor Parameter(string name, Tensor baseTensor) => _replaced.TryGetValue(name, out var t) ? t : baseTensor;

    /// <summary>The unmerged low-rank factors of a linear, null when it is not adapted (or the binding is merged).</summary>
    internal (Tensor Down, Tensor Up)? LowRank(string module) => _lowRank.TryGetValue(module, out var f) ? f : null;

    private void Build(List<(LoraFile File, float Strength)> files, LoraMergeSemantics semantics)
    {
        var linears = Owner.Linears.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var modules = files
            .SelectMany(f => f.File.Modules.Select(m => (f.File, f.Strength, Module: m)))
            .GroupBy(x => x.Module.Module, StringComparer.Ordinal);
        var deltas = files
            .SelectMany(f => f.File.Deltas.Where(d => d.AppliedUnder(semantics)).Select(d => (f.File, f.Strength, Delta: d)))
            .GroupBy(x => x.Delta.Parameter, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Sum(g.Select(x => (x.File.Read(x.Delta.Key), x.Strength))), StringComparer.Ordinal);

        foreach (var group in modules)
        {
            var linear = linears[group.Key];
            var (down, up) = Concatenate([.. group.Select(x => (x.File, x.Strength, x.Module))]);
            var backend = linear.Weight.Backend;
            int outputs = linear.Weight.Shape[0], inputs = linear.Weight.Shape[1], rank = down.Length / inputs;
            if (Mode == LoraMode.Unmerged)
            {
                _lowRank[group.Key] = (backend.FromHost(down, new Shape(rank, inputs)), backend.FromHost(up, new Shape(outputs, rank)));
            }
            else
            {
                var merged = backend.ToHost(linear.Weight);
                Blas.Sgemm(false, false, outputs, inputs, rank, 1f, up, rank, down, inputs, 1f, merged, inputs);
                var weightName = group.Key + ".weight";
                if (deltas.Remove(weightName, out var diff))
                {
                    Add(merged, diff);
                }
                _replaced[weightName] = backend.FromHost(merged, linear.Weight.Shape);
            }
            AdaptedLinears++;
        }
        foreach (var (name, delta) in deltas)
        {
            var parameter = Owner.Parameter(name)
                ?? throw new InvalidOperationException($"LoRA delta of '{name}': the expert holds no such parameter");
            var values = parameter.Backend.ToHost(parameter);
            Add(values, delta);
            _replaced[name] = parameter.Backend.FromHost(values, parameter.Shape);
        }
    }

    /// <summary>down = [A₁; A₂; ...] [ΣRᵢ, in]; up [out, ΣRᵢ] with column block i = sᵢ·(alphaᵢ/rᵢ)·Bᵢ.</summary>
    private static (float[] Down, float[] Up) Concatenate(IReadOnlyList<(LoraFile File, float Strength, LoraModule Module)> parts)
    {
        int inputs = parts[0].Module.Inputs, outputs = parts[0].Module.Outputs;
        int total = checked(parts.Sum(p => p.Module.Rank));
        var down = new float[checked((long)total * inputs)];
        var up = new float[checked((long)outputs * total)];
        int offset = 0;
        foreach (var (file, strength, module) in parts)
        {
            int r = module.Rank;
            file.Read(module.DownKey).CopyTo(down, (long)offset * inputs);
            var b = file.Read(module.UpKey);
            float scale = (float)((double)strength * module.Scale);
            for (int o = 0; o < outputs; o++)
            {
                for (int j = 0; j < r; j++)
                {
                    up[(long)o * total + offset + j] = b[(long)o * r + j] * scale;
                }
            }
            offset += r;
        }
        return (down, up);
    }

    private static double[] Sum(IEnumerable<(float[] Values, float Strength)> parts)
    {
        double[]? sum = null;
        foreach (var (values, strength) in parts)
        {
            sum ??= new double[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                sum[i] += (double)strength * values[i];
            }
        }
        return sum ?? [];
    }

    private static void Add(float[] target, double[] delta)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = (float)(target[i] + delta[i]);
        }
    }

    /// <summary>Frees the factors, merged weights and replaced parameters (never the base weights).</summary>
    public void Dispose()
    {
        Owner.Untrack(this);
        FreeTensors();
    }

    private void FreeTensors()
    {
        foreach (var (down, up) in _lowRank.Values)
        {
            down.Dispose();
            up.Dispose();
        }
        foreach (var t in _replaced.Values)
        {
            t.Dispose();
        }
        _lowRank.Clear();
        _replaced.Clear();
    }
}
