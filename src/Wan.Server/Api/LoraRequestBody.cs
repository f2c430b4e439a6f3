namespace Wan.Server.Api;

/// <summary>One entry of a request's <c>loras</c>: a LoRA of the server's LoRA folder, by file name.</summary>
public sealed class LoraRequestBody
{
    /// <summary>File name in the server's LoRA folder (<c>.safetensors</c> optional); never a path (400).</summary>
    public string? Name { get; set; }

    /// <summary>Multiplier of the file's deltas, |strength| ≤ 4 (default 1).</summary>
    public float? Strength { get; set; }

    /// <summary>"high", "low" or "both" (default both): the expert(s) it applies to.</summary>
    public string? Expert { get; set; }
}
