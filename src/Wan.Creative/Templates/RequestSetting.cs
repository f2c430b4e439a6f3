namespace Wan.Creative.Templates;

/// <summary>The request settings a template may pin; the ones a user set explicitly are left alone by <see cref="PromptTemplate.ApplyTo"/>.</summary>
public enum RequestSetting
{
    /// <summary>The negative prompt.</summary>
    NegativePrompt,

    /// <summary>Width and height.</summary>
    Size,

    /// <summary>Frame count.</summary>
    Frames,

    /// <summary>Sampling steps.</summary>
    Steps,

    /// <summary>Guidance scales (both experts).</summary>
    Guidance,

    /// <summary>Timestep shift.</summary>
    Shift,

    /// <summary>Solver name.</summary>
    Solver,

    /// <summary>Output frames per second.</summary>
    Fps,

    /// <summary>The style (LoRA library entry).</summary>
    Style,
}
