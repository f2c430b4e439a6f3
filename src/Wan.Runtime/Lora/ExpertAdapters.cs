using Wan.Runtime.Models.Dit;

namespace Wan.Runtime.Lora;

/// <summary>
/// The LoRA bindings of one request, per expert (null: that expert runs its base weights), and the
/// mode they were resolved in. Owned by the <see cref="LoraAdapters"/> cache that resolved them.
/// </summary>
/// <param name="High">Binding of the high-noise expert (or of the only expert).</param>
/// <param name="Low">Binding of the low-noise expert.</param>
/// <param name="Mode"><see cref="LoraMode.Merged"/> or <see cref="LoraMode.Unmerged"/>.</param>
public sealed record ExpertAdapters(LoraBinding? High, LoraBinding? Low, LoraMode Mode)
{
    /// <summary>The binding made for <paramref name="expert"/>, or null.</summary>
    public LoraBinding? For(WanTransformer expert) =>
        High is not null && ReferenceEquals(High.Owner, expert) ? High
        : Low is not null && ReferenceEquals(Low.Owner, expert) ? Low
        : null;
}
