using System.Buffers.Binary;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights;

/// <summary>
/// A zero-copy view of one tensor in a mapped safetensors file. Reading converts from the stored
/// dtype; <see cref="Bytes"/> exposes the raw little-endian bytes.
/// </summary>
public readonly unsafe struct SafetensorsTensor
{
    private readonly SafetensorsFile _file;

    internal SafetensorsTensor(SafetensorsFile file, TensorInfo info)
    {
        _file = file;
        Info = info;
    }

    public TensorInfo Info { get; }
    public string Name => Info.Name;
    public DType DType => Info.DType;
    public Shape Shape => Info.Shape;
    public long ElementCount => Info.Shape.ElementCount;
    public string FilePath => _file.Path;

    /// <summary>Pointer to the first byte; valid while the file is open.</summary>
    public byte* Pointer => _file.DataPointer(Info);

    /// <summary>Raw bytes [start, start+length) of this tensor.</summary>
    public ReadOnlySpan<byte> Bytes(long start, int length)
    {
        if (start < 0 || length < 0 || start + length > Info.ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"bytes [{start}, {start + length}) outside tensor '{Name}' ({Info.ByteLength} bytes)");
        }
        return new ReadOnlySpan<byte>(Pointer + start, length);
    }

    /// <summary>All raw bytes (tensors under 2 GiB).</summary>
    public ReadOnlySpan<byte> Bytes() => Bytes(0, checked((int)Info.ByteLength));

    /// <summary>Converts elements [first, first + dst.Length) of a floating-point tensor to float32.</summary>
    public void ReadFloats(long first, Span<float> dst)
    {
        if (first < 0 || first + dst.Length > ElementCount)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"elements [{first}, {first + dst.Length}) outside tensor '{Name}' {Shape}");
        }
        if (!DType.IsFloat())
        {
            throw new InvalidOperationException($"{FilePath}: tensor '{Name}' has dtype {DType}, not a float type");
        }
        var size = DType.SizeOf();
        FloatDecoding.Decode(DType, new ReadOnlySpan<byte>(Pointer + first * size, checked(dst.Length * size)), dst);
    }

    /// <summary>The whole tensor as float32 (tensors under 2^31 elements).</summary>
    public float[] ToFloatArray()
    {
        var result = new float[checked((int)ElementCount)];
        ReadFloats(0, result);
        return result;
    }

    /// <summary>The whole integer tensor as int64.</summary>
    public long[] ToInt64Array()
    {
        var n = checked((int)ElementCount);
        var result = new long[n];
        var src = Bytes();
        for (int i = 0; i < n; i++)
        {
            result[i] = DType switch
            {
                DType.I64 => BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]),
                DType.I32 => BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]),
                DType.I16 => BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]),
                DType.I8 => (sbyte)src[i],
                DType.U8 or DType.Bool => src[i],
                _ => throw new InvalidOperationException($"{FilePath}: tensor '{Name}' has dtype {DType}, not an integer type"),
            };
        }
        return result;
    }
}
