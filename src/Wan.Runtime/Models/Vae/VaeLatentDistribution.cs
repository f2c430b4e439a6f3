using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// The encoder's diagonal Gaussian before latent scaling: <see cref="Mean"/> (mu_raw, diffusers
/// latent_dist.mean) and <see cref="LogVar"/> (unclamped), both [z_dim, F, H/8, W/8]. Owns both.
/// </summary>
public sealed class VaeLatentDistribution(Tensor mean, Tensor logVar) : IDisposable
{
    /// <summary>The posterior mean [z_dim, F, H, W].</summary>
    public Tensor Mean { get; } = mean;
    /// <summary>The posterior log-variance [z_dim, F, H, W].</summary>
    public Tensor LogVar { get; } = logVar;

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
    }
}
