using Wan.Runtime.Backends;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// Which backend runs each component, typed by the op family the component needs: the text encoder
/// on a backend with <see cref="ITextEncoderOps"/>, the DiT experts on one with <see cref="IDitOps"/>,
/// the VAE on one with <see cref="IVaeOps"/>. Tensors cross between backends through the host.
/// WanEngine chooses them (see EngineOptions for the rule).
/// </summary>
public sealed record PipelineBackends(ITextEncoderOps Text, IDitOps Dit, IVaeOps Vae)
{
    /// <summary>"cpu" when one backend runs everything, else each component's backend.</summary>
    public override string ToString() =>
        ReferenceEquals(Text, Dit) && ReferenceEquals(Dit, Vae) ? Dit.Name : $"text encoder {Text.Name}, DiT {Dit.Name}, VAE {Vae.Name}";
}
