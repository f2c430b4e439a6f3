using System.Runtime.InteropServices;
using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>
/// The CUDA backend, written once against <see cref="IDevice"/>: the real GPU (CudaDevice) or the
/// emulated one run the same launchers (Wan.Kernels.Ops) and kernels. Every tensor it creates is
/// stored in <see cref="Storage"/> (F32, BF16 or F16); kernels compute in fp32. The device is the
/// caller's: disposing the backend does not dispose it. It declares the DiT, text-encoder and VAE families
/// (CudaBackend.Text.cs, CudaBackend.Vae.cs) and the step-capture and non-finite-check capabilities, so the
/// engine runs every component on a CUDA device.
/// </summary>
public sealed partial class CudaBackend : IRoutingOps, IStepCapture, INonFiniteCheck
{
    /// <summary>A backend over <paramref name="device"/> (not owned) storing every tensor as <paramref name="storage"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="storage"/> is not F32, BF16 or F16.</exception>
    public CudaBackend(IDevice device, DType storage = DType.BF16)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (storage is not (DType.F32 or DType.BF16 or DType.F16))
        {
            throw new ArgumentOutOfRangeException(nameof(storage), storage, "CUDA tensors are stored as F32, BF16 or F16");
        }
        Device = device;
        Storage = storage;
        Element = storage switch
        {
            DType.F32 => ElementType.F32,
            DType.F16 => ElementType.F16,
            _ => ElementType.BF16,
        };
    }

    /// <summary>The device the kernels run on (a GPU or the emulated device).</summary>
    public IDevice Device { get; }

    /// <summary>Storage dtype of every tensor of this backend (F32, BF16 or F16).</summary>
    public DType Storage { get; }

    /// <inheritdoc/>
    public string Name => $"cuda {Storage} on {Device.Name}";

    internal ElementType Element { get; }

    internal GemmType GemmStorage => Element switch
    {
        ElementType.F32 => GemmType.F32,
        ElementType.F16 => GemmType.F16,
        _ => GemmType.BF16,
    };

    /// <inheritdoc/>
    public Tensor FromHost(ReadOnlySpan<float> data, Shape shape)
    {
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException($"{data.Length} values do not fill shape {shape}");
        }
        var tensor = Allocate(shape);
        Device.CopyToDevice(EncodeForStorage(data), tensor.Buffer);
        return tensor;
    }

    /// <summary>
    /// Uploads a lookup table kept in fp32 whatever <see cref="Storage"/> is (RoPE's cos/sin: the
    /// reference rotates by unrounded angles). Only ops that document an fp32 operand accept it.
    /// </summary>
    public Tensor FromHostF32(ReadOnlySpan<float> data, Shape shape)
    {
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException($"{data.Length} values do not fill shape {shape}");
        }
        var tensor = new CudaTensor(this, shape, DType.F32, new CudaStorage(AllocateBytes(shape.ElementCount * DType.F32.SizeOf())));
        Device.CopyToDevice(MemoryMarshal.AsBytes(data), tensor.Buffer);
        return tensor;
    }

    /// <inheritdoc/>
    public Tensor LoadWeight(StoredTensor source)
    {
        if (!source.DType.IsFloat())
        {
            throw new InvalidDataException($"{source.Location}: weight '{source.Name}' has dtype {source.DType}, expected a float type");
        }
        if (Device is DryRunDevice)
        {
            // Nothing executes there: the weight needs its device memory, never its bytes (no mapped page is read).
            return Allocate(source.Shape);
        }
        return FromHost(source.ToFloatArray(), source.Shape);
    }

    /// <summary>Host values encoded in the storage dtype (round to nearest even), ready to copy to the device.</summary>
    private byte[] EncodeForStorage(ReadOnlySpan<float> data)
    {
        var bytes = new byte[checked(data.Length * Storage.SizeOf())];
        DTypeCodec.Encode(data, Storage, bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public float[] ToHost(Tensor tensor)
    {
        var t = Owned(tensor);
        var bytes = new byte[t.ElementCount * t.DType.SizeOf()];
        Device.CopyToHost(t.Buffer, 0, bytes);
        var values = new float[t.ElementCount];
        DTypeCodec.Decode(t.DType, bytes, values);
        return values;
    }

    /// <inheritdoc/>
    public Tensor Reshape(Tensor x, Shape shape)
    {
        var t = Owned(x);
        if (shape.ElementCount != t.ElementCount)
        {
            throw new ArgumentException($"cannot reshape {x.Shape} to {shape}");
        }
        return new CudaTensor(this, shape, t.DType, t.Storage.Retain());
    }

    /// <inheritdoc/>
    public Tensor SliceRows(Tensor x, int start, int count)
    {
        var t = Cuda(x);
        if (t.Shape.Rank != 2)
        {
            throw new ArgumentException($"slice rows: expected a 2-D tensor, got {x.Shape}");
        }
        int rows = t.Shape[0], cols = t.Shape[1];
        if (start < 0 || count < 0 || start + count > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) outside {x.Shape}");
        }
        var y = Allocate(new Shape(count, cols));
        ElementwiseOps.Copy(Device, Element, t.Buffer, (long)start * cols, y.Buffer, 0, (long)count * cols);
        return y;
    }

    /// <summary>Computed on the host in float64 (a [1, dim] table, as the reference does), then uploaded.</summary>
    public Tensor TimestepSinusoid(double t, int dim) => FromHost(HostMath.TimestepSinusoid(t, dim), new Shape(1, dim));

    /// <inheritdoc/>
    public void Dispose() { }

    internal CudaTensor Allocate(Shape shape) =>
        new(this, shape, Storage, new CudaStorage(AllocateBytes(shape.ElementCount * Storage.SizeOf())));

    /// <summary>Device memory for the backend's tensors and scratch; an open <see cref="ShareConvColumns"/> scope sees it first.</summary>
    internal DeviceBuffer AllocateBytes(long bytes)
    {
        _sharedColumns?.BeforeAllocate(bytes);
        return Device.Allocate(bytes);
    }

    internal CudaTensor AllocateLike(Tensor t) => Allocate(t.Shape);

    /// <summary>A tensor of this backend in its storage dtype: what every kernel operand must be.</summary>
    internal CudaTensor Cuda(Tensor t)
    {
        var c = Owned(t);
        return c.DType == Storage
            ? c
            : throw new ArgumentException($"tensor {t} is stored as {c.DType}; this op takes {Storage} tensors");
    }

    /// <summary>A tensor of this backend in any dtype (an fp32 table from <see cref="FromHostF32"/> included).</summary>
    internal CudaTensor Owned(Tensor t) =>
        t as CudaTensor is { } c && ReferenceEquals(c.Backend, this)
            ? c
            : throw new ArgumentException($"tensor {t} does not belong to this CUDA backend ({Name})");

}
