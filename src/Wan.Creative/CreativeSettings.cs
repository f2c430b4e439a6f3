using Wan.Creative.Safety;
using Wan.Creative.Templates;

namespace Wan.Creative;

/// <summary>What <see cref="CreativePreparation.PrepareAsync"/> applies to a request; every part optional.</summary>
public sealed record CreativeSettings
{
    /// <summary>The prompt filter, or null for none.</summary>
    public PromptFilter? Filter { get; init; }

    /// <summary>The external prompt-extension hook, or null (off, the default).</summary>
    public PromptExtension? Extension { get; init; }

    /// <summary>The template to expand the prompt with, or null.</summary>
    public PromptTemplate? Template { get; init; }
}
