using Wan.Convert.Pth;
using Wan.Runtime.Weights;

namespace Wan.Convert.SelfForcing;

/// <summary>
/// The DiT of a Self-Forcing checkpoint (github.com/guandeh17/Self-Forcing; <c>checkpoints/self_forcing_dmd.pt</c>, built on
/// Wan2.1-T2V-1.3B): a torch.save of <c>{"generator": state_dict, "generator_ema": state_dict, ...}</c> whose state dicts are
/// those of <c>WanDiffusionWrapper</c> (utils/wan_wrapper.py), so every DiT tensor is named <c>model.</c> + its original Wan
/// name (CausalWanModel, wan/modules/causal_model.py, has the modules and names of WanModel). inference.py loads
/// <c>generator_ema</c> with <c>--use_ema</c> (what its README runs) and <c>generator</c> otherwise. This source strips the prefix.
/// </summary>
public sealed class SelfForcingCheckpoint : ITensorSource
{
    /// <summary>The wrapper's attribute holding the DiT, as a name prefix.</summary>
    public const string ModelPrefix = "model.";

    private readonly PthCheckpoint _inner;
    private readonly List<string> _names;

    private SelfForcingCheckpoint(PthCheckpoint inner, List<string> names)
    {
        _inner = inner;
        _names = names;
    }

    /// <summary>
    /// Opens the state dict <paramref name="stateDictKey"/> (<c>generator_ema</c> or <c>generator</c>) of the checkpoint.
    /// </summary>
    /// <exception cref="PthFormatException">not a dict of state dicts, no such key, or a tensor outside <c>model.</c> (names it).</exception>
    public static SelfForcingCheckpoint Open(string path, string stateDictKey)
    {
        var inner = PthCheckpoint.Open(path, stateDictKey);
        try
        {
            if (inner.Names.FirstOrDefault(n => !n.StartsWith(ModelPrefix, StringComparison.Ordinal)) is { } stray)
            {
                throw new PthFormatException(path, $"state dict '{stateDictKey}': tensor '{stray}' is not under '{ModelPrefix}' (a Self-Forcing generator holds only its DiT)");
            }
            return new SelfForcingCheckpoint(inner, [.. inner.Names.Select(n => n[ModelPrefix.Length..])]);
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Location => _inner.Location;

    /// <inheritdoc/>
    public IReadOnlyList<string> Names => _names;

    /// <inheritdoc/>
    public bool Contains(string name) => _inner.Contains(ModelPrefix + name);

    /// <inheritdoc/>
    public StoredTensor Get(string name) => _inner.Get(ModelPrefix + name);

    /// <summary>Closes the archive.</summary>
    public void Dispose() => _inner.Dispose();
}
