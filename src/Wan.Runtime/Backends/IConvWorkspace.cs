namespace Wan.Runtime.Backends;

/// <summary>
/// Optional capability of a backend whose convolutions need scratch memory (the CUDA backend's im2col column matrix,
/// at most <c>CudaBackend.ConvColumnBytes</c> per convolution): inside a scope the convolutions share one buffer,
/// grown when one needs more, instead of allocating and freeing their own. A VAE decode runs ~40 convolutions per
/// latent frame (817 at 720p × 81), so on a GPU this saves that many cuMemAlloc/cuMemFree pairs; the results are the same
/// bits. The decode opens it (<c>WanPipeline.DecodeInto</c>); nothing else should, because the buffer stays allocated
/// between convolutions for the scope's whole life.
/// </summary>
public interface IConvWorkspace : IBackend
{
    /// <summary>
    /// Starts sharing the convolutions' scratch buffer until the returned scope is disposed, which frees the buffer.
    /// One scope at a time per backend.
    /// </summary>
    /// <exception cref="InvalidOperationException">a scope of this backend is already open.</exception>
    IDisposable ShareConvColumns();
}
