namespace Wan.Runtime.Styles;

/// <summary>The request settings a style may recommend; the ones a user set explicitly are left alone by <see cref="Style.ApplyTo"/>.</summary>
public enum StyleSetting
{
    /// <summary>The negative prompt.</summary>
    NegativePrompt,

    /// <summary>Sampling steps.</summary>
    Steps,

    /// <summary>Guidance scales (both experts).</summary>
    Guidance,

    /// <summary>Timestep shift.</summary>
    Shift,

    /// <summary>Solver (sampler) name.</summary>
    Sampler,
}
