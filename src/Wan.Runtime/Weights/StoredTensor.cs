using System.Buffers.Binary;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights.Storage;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Runtime.Weights;

/// <summary>
/// One stored tensor, whatever holds it: a safetensors file or shard (mapped), a <c>.pth</c> archive
/// entry, or a transform of another stored tensor (fp8 dequantisation, dtype change, LoRA merge).
/// It names its dtype and row-major shape, optionally a scale (value = stored · scale), and gives its
/// little-endian bytes two ways: <see cref="Acquire"/> (all bytes, contiguous, kept alive by a
/// counted reference — a mapping where there is one) and <see cref="OpenRead"/> (a forward stream,
/// bounded memory, for converters). Backends load weights from it (<c>IBackend.LoadWeight</c>).
/// </summary>
public abstract class StoredTensor
{
    /// <summary>
    /// Checks the shape's element count and byte size fit 64-bit arithmetic and that the scale has 1
    /// or <c>shape[0]</c> values; throws <see cref="InvalidDataException"/> naming the location otherwise.
    /// </summary>
    protected StoredTensor(string name, DType dtype, Shape shape, string location, TensorScale? scale)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Location = location;
        Scale = scale;
        try
        {
            ByteLength = checked(shape.ElementCount * dtype.SizeOf());
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{location}: tensor '{name}' {shape} has more bytes than 64 bits can count");
        }
        if (scale is not null)
        {
            long rows = shape.Rank == 0 ? 1 : shape[0];
            if (scale.Values.Length != 1 && scale.Values.Length != rows)
            {
                throw new InvalidDataException(
                    $"{location}: '{name}{ScaledFp8.ScaleSuffix}' has {scale.Values.Length} values; '{name}' {shape} needs 1 or {rows}");
            }
        }
    }

    /// <summary>The tensor's name in its container.</summary>
    public string Name { get; }

    /// <summary>The stored element type.</summary>
    public DType DType { get; }

    /// <summary>Row-major shape (last dimension fastest).</summary>
    public Shape Shape { get; }

    /// <summary>The file or directory it comes from, for messages.</summary>
    public string Location { get; }

    /// <summary>Scale the stored values are multiplied by to give the tensor's values (fp8 weights), or null.</summary>
    public TensorScale? Scale { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.ElementCount;

    /// <summary>Size of the stored bytes.</summary>
    public long ByteLength { get; }

    /// <summary>
    /// All stored bytes, contiguous, valid until the lease is disposed (independently of the source
    /// that produced this tensor). Throws <see cref="ObjectDisposedException"/> once the source is closed.
    /// </summary>
    public abstract StoredBytes Acquire();

    /// <summary>A forward-only stream of exactly <see cref="ByteLength"/> stored bytes; memory stays bounded.</summary>
    public abstract Stream OpenRead();

    /// <summary>
    /// The tensor's values as float32 (scale applied), elements [first, first + destination.Length).
    /// Throws <see cref="InvalidOperationException"/> for a non-float dtype, <see cref="ArgumentOutOfRangeException"/> outside the tensor.
    /// </summary>
    public void ReadFloats(long first, Span<float> destination)
    {
        RequireFloat();
        if (first < 0 || first > ElementCount - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"elements [{first}, {first}+{destination.Length}) outside tensor '{Name}' {Shape}");
        }
        var size = DType.SizeOf();
        using (var bytes = Acquire())
        {
            DTypeCodec.Decode(DType, bytes.Span(first * size, checked(destination.Length * size)), destination);
        }
        Scale?.Apply(first, RowLength, destination);
    }

    /// <summary>The whole tensor as float32, scale applied (tensors under 2^31 elements).</summary>
    public float[] ToFloatArray()
    {
        var result = new float[checked((int)ElementCount)];
        ReadFloats(0, result);
        return result;
    }

    /// <summary>A copy of all stored bytes (tensors under 2 GiB).</summary>
    public byte[] ToByteArray()
    {
        using var lease = Acquire();
        return lease.Span(0, checked((int)ByteLength)).ToArray();
    }

    /// <summary>The whole integer tensor as int64; <see cref="InvalidOperationException"/> for other dtypes.</summary>
    public long[] ToInt64Array()
    {
        var n = checked((int)ElementCount);
        var result = new long[n];
        using var lease = Acquire();
        var src = lease.Span(0, checked((int)ByteLength));
        for (int i = 0; i < n; i++)
        {
            result[i] = DType switch
            {
                DType.I64 => BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]),
                DType.I32 => BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]),
                DType.I16 => BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]),
                DType.I8 => (sbyte)src[i],
                DType.U8 or DType.Bool => src[i],
                _ => throw new InvalidOperationException($"{Location}: tensor '{Name}' has dtype {DType}, not an integer type"),
            };
        }
        return result;
    }

    /// <summary>Elements per row for a per-channel scale (the product of every dimension after the first).</summary>
    internal long RowLength => Shape.Rank <= 1 || Shape[0] == 0 ? 1 : ElementCount / Shape[0];

    internal void RequireFloat()
    {
        if (!DType.IsFloat())
        {
            throw new InvalidOperationException($"{Location}: tensor '{Name}' has dtype {DType}, not a float type");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Location}: '{Name}' {DType}{Shape}{(Scale is null ? "" : " scaled")}";
}
