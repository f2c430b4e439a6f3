using System.Buffers.Binary;
using System.Text;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Pth;

/// <summary>One tensor of a state dict pickle: its storage record and its view of it (offset/stride in elements).</summary>
public sealed record PthTensorEntry(string Name, DType DType, Shape Shape, string StorageKey, long StorageElements, long StorageOffset, long[] Stride)
{
    /// <summary>A tensor alone in its own contiguous storage.</summary>
    public static PthTensorEntry Contiguous(string name, DType dtype, Shape shape, string key)
    {
        var stride = new long[shape.Rank];
        long s = 1;
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            stride[d] = s;
            s *= shape[d];
        }
        return new PthTensorEntry(name, dtype, shape, key, shape.ElementCount, 0, stride);
    }
}

/// <summary>Writes the protocol-2 pickle torch.save produces for an OrderedDict of tensors (no _metadata).</summary>
public static class StateDictPickler
{
    private static readonly Dictionary<DType, string> StorageNames = new()
    {
        [DType.F32] = "FloatStorage",
        [DType.F64] = "DoubleStorage",
        [DType.F16] = "HalfStorage",
        [DType.BF16] = "BFloat16Storage",
        [DType.I64] = "LongStorage",
        [DType.I32] = "IntStorage",
        [DType.I16] = "ShortStorage",
        [DType.I8] = "CharStorage",
        [DType.U8] = "ByteStorage",
        [DType.Bool] = "BoolStorage",
    };

    public static byte[] Pickle(IEnumerable<PthTensorEntry> tensors)
    {
        var p = new MemoryStream();
        p.Write([0x80, 2]);
        StateDict(p, tensors);
        p.WriteByte((byte)'.');
        return p.ToArray();
    }

    /// <summary>A dict of named state dicts, as a training checkpoint's torch.save of <c>{"generator": sd, "generator_ema": sd_ema}</c>.</summary>
    public static byte[] PickleNested(IEnumerable<(string Key, IEnumerable<PthTensorEntry> Tensors)> stateDicts)
    {
        var p = new MemoryStream();
        p.Write([0x80, 2, (byte)'}', (byte)'(']);
        foreach (var (key, tensors) in stateDicts)
        {
            Unicode(p, key);
            StateDict(p, tensors);
        }
        p.Write([(byte)'u', (byte)'.']);
        return p.ToArray();
    }

    private static void StateDict(Stream p, IEnumerable<PthTensorEntry> tensors)
    {
        Global(p, "collections", "OrderedDict");
        p.Write([(byte)')', (byte)'R', (byte)'(']);
        foreach (var t in tensors)
        {
            var storage = StorageNames.TryGetValue(t.DType, out var s) ? s : throw new ArgumentException($"dtype {t.DType} has no torch storage type");
            Unicode(p, t.Name);
            Global(p, "torch._utils", "_rebuild_tensor_v2");
            p.Write([(byte)'(', (byte)'(']);
            Unicode(p, "storage");
            Global(p, "torch", storage);
            Unicode(p, t.StorageKey);
            Unicode(p, "cpu");
            Int(p, t.StorageElements);
            p.Write([(byte)'t', (byte)'Q']);
            Int(p, t.StorageOffset);
            Tuple(p, t.Shape.ToArray().Select(d => (long)d));
            Tuple(p, t.Stride);
            p.WriteByte(0x89);
            Global(p, "collections", "OrderedDict");
            p.Write([(byte)')', (byte)'R', (byte)'t', (byte)'R']);
        }
        p.WriteByte((byte)'u');
    }

    private static void Global(Stream p, string module, string name)
    {
        p.WriteByte((byte)'c');
        p.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void Unicode(Stream p, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
        p.WriteByte((byte)'X');
        p.Write(len);
        p.Write(bytes);
    }

    private static void Int(Stream p, long v)
    {
        if (v is >= 0 and <= int.MaxValue)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            p.WriteByte((byte)'J');
            p.Write(b);
            return;
        }
        Span<byte> l = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        p.Write([0x8a, 8]);
        p.Write(l);
    }

    private static void Tuple(Stream p, IEnumerable<long> items)
    {
        p.WriteByte((byte)'(');
        foreach (var i in items)
        {
            Int(p, i);
        }
        p.WriteByte((byte)'t');
    }
}
