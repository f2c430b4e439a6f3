namespace Wan.Runtime.Engine;

/// <summary>Where one model component runs: its device and the backend's name (with the storage type).</summary>
/// <param name="Component">"text encoder", "DiT" or "VAE".</param>
/// <param name="Device">the device it was placed on (never <see cref="EngineDevice.Auto"/>).</param>
/// <param name="Backend">the backend's name, e.g. "cuda BF16 on emulated (g++ fibers)".</param>
/// <param name="Reason">why it is not on the requested device, or null when it is.</param>
public sealed record ComponentPlacement(string Component, EngineDevice Device, string Backend, string? Reason)
{
    /// <summary>"DiT: cuda BF16 on NVIDIA H100 (sm_90)", with the reason in parentheses when there is one.</summary>
    public override string ToString() => Reason is null ? $"{Component}: {Backend}" : $"{Component}: {Backend} ({Reason})";
}
