using Wan.Kernels.Device;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// A tensor of <paramref name="shape"/> in <see cref="Storage"/> over bytes [<paramref name="offset"/>, …) of
    /// <paramref name="buffer"/>, which stays the caller's: disposing the tensor frees nothing. The streamed DiT's
    /// block weights are such views at fixed offsets in a block slot, whose contents change as blocks stream through.
    /// </summary>
    /// <exception cref="ArgumentException">the buffer belongs to another device, or the tensor does not fit in it at that offset.</exception>
    internal CudaTensor View(DeviceBuffer buffer, long offset, Shape shape)
    {
        if (!ReferenceEquals(buffer.Device, Device))
        {
            throw new ArgumentException($"a view of a buffer of {buffer.Device.Name} cannot be a tensor of {Name}");
        }
        long bytes = checked(shape.ElementCount * Storage.SizeOf());
        if (offset < 0 || offset > buffer.Bytes - bytes)
        {
            throw new ArgumentException($"{Storage}{shape} ({bytes} bytes) at offset {offset} does not fit a buffer of {buffer.Bytes} bytes");
        }
        return new CudaTensor(this, shape, Storage, new CudaStorage(new BufferView(buffer, offset, bytes)));
    }

    /// <summary>Bytes [offset, offset + bytes) of a buffer owned elsewhere; disposing the view frees nothing.</summary>
    private sealed class BufferView(DeviceBuffer owner, long offset, long bytes) : DeviceBuffer(owner.Device, checked(owner.Address + (ulong)offset), bytes)
    {
        protected override void Dispose(bool disposing)
        {
            // The owner (a block slot) frees the memory.
        }
    }
}
