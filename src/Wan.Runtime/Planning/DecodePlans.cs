using Wan.Errors;
using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Planning;

/// <summary>
/// The decode stage of a plan beside a given amount of resident DiT weights: whole frames when they fit the budget (the recorded
/// peak plus the resident weights plus the reserve), else the tiling <see cref="VaeDecodeMemory.Choose"/> picks for the room left
/// beside the weights, the VAE's own weights and the reserve; with <see cref="PlanRequest.VaeMemoryGB"/> always that budget's choice,
/// as <c>wan generate --vae-memory</c> decodes. Each tiling is recorded once on the dry-run device.
/// </summary>
internal sealed class DecodePlans(DryRunLog log, CudaBackend backend, string? dir, IReadOnlyList<int> latentShape, PlanRequest request, RecordedComponent whole)
{
    private readonly Dictionary<VaeTiling, RecordedComponent> _tiled = [];

    /// <summary>Refuses a <see cref="PlanRequest.VaeMemoryGB"/> no tiling of the latent fits (bf16, the default column budget), before any dry run.</summary>
    /// <exception cref="RequestException">no tiling fits the budget.</exception>
    public static void CheckBudget(string? dir, IReadOnlyList<int> latentShape, PlanRequest request)
    {
        if (request.VaeMemoryBytes is { } budget)
        {
            VaeDecodeMemory.Choose(ConfigOf(dir), latentShape[1], latentShape[2], latentShape[3], DType.BF16.SizeOf(), CudaBackend.DefaultConvColumnBytes, budget);
        }
    }

    /// <summary>The decode stage beside <paramref name="residentBytes"/> of DiT weights.</summary>
    /// <exception cref="RequestException">the request's VAE budget fits no tiling.</exception>
    public RecordedComponent Beside(long residentBytes)
    {
        var config = ConfigOf(dir);
        long room = request.BudgetBytes - DeploymentPlanner.ReserveBytes - residentBytes - whole.WeightBytes;
        VaeTiling? tiling;
        if (request.VaeMemoryBytes is { } budget)
        {
            tiling = Choose(config, budget);
        }
        else if (whole.Stage.PeakBytes + residentBytes + DeploymentPlanner.ReserveBytes <= request.BudgetBytes || room < 1)
        {
            return whole;
        }
        else
        {
            try
            {
                tiling = Choose(config, room);
            }
            catch (RequestException)
            {
                // No tiling fits beside these weights: the plan shows whole frames and says it does not fit.
                return whole;
            }
        }
        if (tiling is null)
        {
            return whole;
        }
        if (!_tiled.TryGetValue(tiling, out var recorded))
        {
            recorded = DryRunComponents.Decode(log, backend, dir, latentShape, request.Gpu, tiling);
            _tiled[tiling] = recorded;
        }
        return recorded;
    }

    private static VaeConfig ConfigOf(string? dir) => dir is null ? ShapeOnlyVaeWeights.Wan21 : VaeConfig.Load(Path.Combine(dir, "vae", "config.json"));

    private VaeTiling? Choose(VaeConfig config, long budget) =>
        VaeDecodeMemory.Choose(config, latentShape[1], latentShape[2], latentShape[3], backend.Storage.SizeOf(), backend.ConvColumnBytes, budget);
}
