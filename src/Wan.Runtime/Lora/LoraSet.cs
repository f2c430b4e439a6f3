namespace Wan.Runtime.Lora;

/// <summary>
/// The LoRAs of one request, stacked additively (W' = W + Σᵢ sᵢ·ΔWᵢ), with the delta semantics they
/// follow. Value-equal sets (same files by full path, size and last-write time, strengths, targets and semantics,
/// in the same order) share cached adapters; <see cref="Key"/> is that identity.
/// </summary>
public sealed class LoraSet : IEquatable<LoraSet>
{
    /// <summary>A set of the given specs (in order) under <paramref name="semantics"/>.</summary>
    public LoraSet(IEnumerable<LoraSpec> specs, LoraMergeSemantics semantics = LoraMergeSemantics.AllDeltas)
    {
        ArgumentNullException.ThrowIfNull(specs);
        Specs = [.. specs.Select(s => s with { Path = System.IO.Path.GetFullPath(s.Path) })];
        Semantics = semantics;
        Key = string.Join("|", Specs.Select(s => $"{s}@{FileStamp(s.Path)}")) + "#" + semantics;
    }

    /// <summary>No LoRA.</summary>
    public static LoraSet Empty { get; } = new([]);

    /// <summary>The LoRAs in application order, paths made absolute.</summary>
    public IReadOnlyList<LoraSpec> Specs { get; }

    /// <summary>Which full deltas are applied (<see cref="LoraMergeSemantics.AllDeltas"/> by default).</summary>
    public LoraMergeSemantics Semantics { get; }

    /// <summary>
    /// Identity of the set: equal keys mean equal adapters. It includes each file's size and last-write time when the
    /// set was made, so a file replaced in place (an edited style) is read again by a warm engine, not served stale.
    /// </summary>
    public string Key { get; }

    /// <summary>Whether the set holds no LoRA.</summary>
    public bool IsEmpty => Specs.Count == 0;

    /// <summary>The specs that apply to <paramref name="expert"/> (<see cref="LoraExpert.High"/> or <see cref="LoraExpert.Low"/>).</summary>
    public IReadOnlyList<LoraSpec> For(LoraExpert expert) => [.. Specs.Where(s => s.Targets(expert))];

    /// <inheritdoc/>
    public bool Equals(LoraSet? other) => other is not null && other.Key == Key;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LoraSet);

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => IsEmpty ? "(no LoRA)" : string.Join("|", Specs.Select(s => s.ToString())) + "#" + Semantics;

    private static string FileStamp(string path)
    {
        var file = new System.IO.FileInfo(path);
        return file.Exists ? $"{file.Length}/{file.LastWriteTimeUtc.Ticks}" : "absent";
    }
}
