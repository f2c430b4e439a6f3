using Wan.Runtime.Backends;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// Which backend runs each component. The DiT is ~99% of the compute, so it may run on CUDA while
/// the text encoder and the VAE stay on the CPU reference backend; tensors cross through the host.
/// </summary>
public sealed record PipelineBackends(IBackend Text, IBackend Dit, IBackend Vae)
{
    public static PipelineBackends All(IBackend backend) => new(backend, backend, backend);

    public override string ToString() =>
        Text == Dit && Dit == Vae ? Dit.Name : $"text {Text.Name}, DiT {Dit.Name}, VAE {Vae.Name}";
}
