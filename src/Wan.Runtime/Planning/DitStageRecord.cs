using Wan.Kernels.Device;

namespace Wan.Runtime.Planning;

/// <summary>
/// What the dry run recorded for one denoising stage (the steps of one expert): its steps, peak device
/// memory (weights, text K/V, step graph and buffers), launches and GEMMs that would run with their
/// FLOPs and bytes, every distinct call with its count (<see cref="Ran"/>, for the time model), and the bytes
/// uploaded on the copy stream (<see cref="UploadedBytes"/>: streamed DiT blocks; 0 when resident).
/// </summary>
internal sealed record DitStageRecord(string Stage, int Steps, long PeakBytes, long Launches, long Gemms, double GemmFlops, double GemmBytes,
    IReadOnlyDictionary<DryRunCall, long> Ran, long UploadedBytes);
