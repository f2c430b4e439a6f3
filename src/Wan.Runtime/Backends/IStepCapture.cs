using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// Optional capability: record a unit of work (e.g. one denoising step) once and replay it, with its
/// inputs in persistent tensors that are overwritten before each replay. The CUDA backend offers it
/// (a CUDA graph on a GPU, the same recording on the emulated device); the CPU backend does not,
/// and callers then run the work directly.
/// </summary>
public interface IStepCapture : IBackend
{
    /// <summary>
    /// A persistent tensor of <paramref name="shape"/> in <see cref="IBackend.Storage"/> with undefined
    /// contents (NaN on the emulated device): an input slot that captured work reads.
    /// </summary>
    Tensor Empty(Shape shape);

    /// <summary>
    /// Overwrites a tensor of this backend with host values (encoded to its dtype). Not allowed while
    /// capturing: write the inputs between replays.
    /// </summary>
    /// <exception cref="ArgumentException">the tensor belongs to another backend or the value count differs from its size.</exception>
    void Write(Tensor destination, ReadOnlySpan<float> data);

    /// <summary>
    /// Records every op <paramref name="work"/> issues on the calling thread instead of running it.
    /// Tensors created inside live in the capture's own memory (valid for every replay, freed with it);
    /// host copies inside throw. When <paramref name="work"/> throws, nothing is kept and the exception
    /// propagates.
    /// </summary>
    ICapturedWork Capture(Action work);
}
