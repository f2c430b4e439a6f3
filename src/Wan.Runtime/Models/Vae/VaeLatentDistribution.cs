using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// The encoder's diagonal Gaussian before latent scaling: <see cref="Mean"/> (mu_raw, diffusers
/// latent_dist.mean) and <see cref="LogVar"/> (unclamped), both [z_dim, F, H/8, W/8]. Owns both.
/// </summary>
public sealed class VaeLatentDistribution(Tensor mean, Tensor logVar) : IDisposable
{
    public Tensor Mean { get; } = mean;
    public Tensor LogVar { get; } = logVar;

    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
    }
}
