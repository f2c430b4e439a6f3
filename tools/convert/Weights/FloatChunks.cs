using Wan.Convert.Precision;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Weights;

/// <summary>Reads a float tensor of any stored dtype as consecutive float32 chunks of bounded size.</summary>
public sealed class FloatChunks : IDisposable
{
    public const int ChunkElements = 1 << 20;

    private readonly Stream _stream;
    private readonly DType _dtype;
    private readonly byte[] _bytes;
    private readonly float[]? _scales;
    private readonly long _rowLength;
    private long _position;

    /// <summary>Chunks of <paramref name="name"/>; an fp8 tensor is dequantized with its <c>_scale</c> companion when present.</summary>
    public FloatChunks(IWeightSource source, string name)
    {
        var info = source.Describe(name);
        if (!info.DType.IsFloat())
        {
            throw new InvalidOperationException($"{source.Location}: tensor '{name}' has dtype {info.DType}, not a float type");
        }
        _dtype = info.DType;
        Elements = info.Shape.ElementCount;
        _bytes = new byte[ChunkElements * _dtype.SizeOf()];
        var scaleName = name + DTypePolicy.ScaleSuffix;
        if (_dtype == DType.F8E4M3 && source.Contains(scaleName))
        {
            _scales = ReadAll(source, scaleName);
            _rowLength = _scales.Length == 1 ? Elements : Elements / info.Shape[0];
            if (_scales.Length != 1 && _scales.Length != info.Shape[0])
            {
                throw new InvalidDataException($"{source.Location}: '{scaleName}' has {_scales.Length} values for '{name}' {info.Shape}");
            }
        }
        _stream = source.OpenRead(name);
    }

    public long Elements { get; }

    /// <summary>Fills the next chunk; returns its length (0 at the end).</summary>
    public int Next(Span<float> dst)
    {
        var n = (int)Math.Min(Math.Min(dst.Length, ChunkElements), Elements - _position);
        if (n == 0)
        {
            return 0;
        }
        var size = _dtype.SizeOf();
        _stream.ReadExactly(_bytes, 0, n * size);
        FloatDecoding.Decode(_dtype, _bytes.AsSpan(0, n * size), dst[..n]);
        if (_scales is not null)
        {
            for (int i = 0; i < n; i++)
            {
                dst[i] *= _scales[(int)((_position + i) / _rowLength)];
            }
        }
        _position += n;
        return n;
    }

    public static float[] ReadAll(IWeightSource source, string name)
    {
        var info = source.Describe(name);
        var result = new float[checked((int)info.Shape.ElementCount)];
        var bytes = new byte[info.ByteLength];
        using (var s = source.OpenRead(name))
        {
            s.ReadExactly(bytes);
        }
        FloatDecoding.Decode(info.DType, bytes, result);
        return result;
    }

    public void Dispose() => _stream.Dispose();
}
