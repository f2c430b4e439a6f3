using System.Buffers.Binary;
using System.Text;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Pth;

/// <summary>
/// Reads the pickle of a torch.save state dict (protocol 2) without executing anything: globals are
/// only compared against a fixed allow-list (an OrderedDict, the tensor rebuild function and the
/// storage types), REDUCE only builds those, and every other opcode or global is refused with an
/// error that names it and its offset. Arbitrary-code pickles (os.system, eval, ...) therefore fail
/// at the GLOBAL that names them.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private const int MaxMemo = 1 << 24;
    private const int MaxDepth = 1 << 20;

    private static readonly Dictionary<string, DType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = DType.F32,
        ["DoubleStorage"] = DType.F64,
        ["HalfStorage"] = DType.F16,
        ["BFloat16Storage"] = DType.BF16,
        ["LongStorage"] = DType.I64,
        ["IntStorage"] = DType.I32,
        ["ShortStorage"] = DType.I16,
        ["CharStorage"] = DType.I8,
        ["ByteStorage"] = DType.U8,
        ["BoolStorage"] = DType.Bool,
    };

    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");

    private readonly string _path;
    private readonly byte[] _data;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _opStart;

    private RestrictedUnpickler(string path, byte[] data)
    {
        _path = path;
        _data = data;
    }

    /// <summary>Unpickles <paramref name="data"/>; <paramref name="path"/> names the source in errors.</summary>
    public static object? Load(string path, byte[] data) => new RestrictedUnpickler(path, data).Run();

    private PthFormatException Fail(string problem) => new(_path, $"pickle offset {_opStart}: {problem}");

    private object? Run()
    {
        while (true)
        {
            if (_pos >= _data.Length)
            {
                throw Fail("truncated pickle: ended without STOP");
            }
            _opStart = _pos;
            var op = _data[_pos++];
            switch (op)
            {
                case 0x80: // PROTO
                    var proto = ReadByte();
                    if (proto > 2)
                    {
                        throw Fail($"pickle protocol {proto}: only protocol 2 (what torch.save writes) is accepted");
                    }
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                    {
                        throw Fail($"STOP with {_stack.Count} objects on the stack and {_marks.Count} open marks");
                    }
                    return _stack[0];
                case (byte)'(': // MARK
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'c': // GLOBAL
                    Push(ReadGlobal());
                    break;
                case (byte)'q': // BINPUT
                    Memo(ReadByte());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Memo(ReadUInt32());
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(ReadUInt32()));
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(new PickleTuple([]));
                    break;
                case (byte)'t': // TUPLE
                    Push(new PickleTuple(PopToMark()));
                    break;
                case 0x85: // TUPLE1
                    Push(new PickleTuple(PopN(1)));
                    break;
                case 0x86: // TUPLE2
                    Push(new PickleTuple(PopN(2)));
                    break;
                case 0x87: // TUPLE3
                    Push(new PickleTuple(PopN(3)));
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new PickleDict());
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)'a': // APPEND
                    AppendItems(PopN(1));
                    break;
                case (byte)'e': // APPENDS
                    AppendItems(PopToMark());
                    break;
                case (byte)'s': // SETITEM
                    SetItems(PopN(2));
                    break;
                case (byte)'u': // SETITEMS
                    SetItems(PopToMark());
                    break;
                case (byte)'N': // NONE
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong1());
                    break;
                case (byte)'G': // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(checked((int)ReadUInt32())));
                    break;
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                case (byte)'R': // REDUCE
                    var args = Pop();
                    Push(Reduce(Pop(), args));
                    break;
                case (byte)'b': // BUILD
                    Build(Pop());
                    break;
                default:
                    throw Fail($"opcode 0x{op:x2} ('{(op is >= 32 and < 127 ? (char)op : '?')}') is not allowed in a state-dict pickle");
            }
        }
    }

    private byte ReadByte() => Take(1)[0];

    private long ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _pos > _data.Length - n)
        {
            throw Fail($"truncated pickle: needs {n} more bytes, {_data.Length - _pos} left");
        }
        var span = _data.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    private string ReadUtf8(int n)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Take(n));
        }
        catch (DecoderFallbackException)
        {
            throw Fail("string is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0 || end - _pos > 256)
        {
            throw Fail("truncated or overlong GLOBAL name");
        }
        var s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private long ReadLong1()
    {
        var n = ReadByte();
        if (n > 8)
        {
            throw Fail($"LONG1 of {n} bytes does not fit 64 bits");
        }
        var bytes = Take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            v = (v << 8) | bytes[i];
        }
        if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0)
        {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private PickleGlobal ReadGlobal()
    {
        var g = new PickleGlobal(ReadLine(), ReadLine());
        var allowed = g == OrderedDict || g == RebuildTensorV2 || (g.Module == "torch" && StorageTypes.ContainsKey(g.Name));
        return allowed ? g : throw Fail($"refusing global '{g}': only collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch.*Storage may appear in a state dict");
    }

    private void Push(object? value)
    {
        if (_stack.Count >= MaxDepth)
        {
            throw Fail("pickle stack too deep");
        }
        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks.Peek()))
        {
            throw Fail("stack underflow");
        }
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private List<object?> PopN(int n)
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count - floor < n)
        {
            throw Fail("stack underflow");
        }
        var items = _stack.GetRange(_stack.Count - n, n);
        _stack.RemoveRange(_stack.Count - n, n);
        return items;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0)
        {
            throw Fail("no MARK to pop to");
        }
        var mark = _marks.Pop();
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object? Top() => _stack.Count > (_marks.Count > 0 ? _marks.Peek() : 0) ? _stack[^1] : throw Fail("stack underflow");

    private void Memo(long index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index))
        {
            throw Fail("memo too large");
        }
        _memo[index] = Top();
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Fail($"memo entry {index} is read before it is written");

    private void AppendItems(List<object?> items)
    {
        if (Top() is not List<object?> list)
        {
            throw Fail("APPEND target is not a list");
        }
        list.AddRange(items);
    }

    private void SetItems(List<object?> pairs)
    {
        if (pairs.Count % 2 != 0)
        {
            throw Fail("SETITEMS with an odd number of items");
        }
        if (Top() is not PickleDict dict)
        {
            throw Fail("SETITEM target is not a dict");
        }
        for (int i = 0; i < pairs.Count; i += 2)
        {
            var key = pairs[i] ?? throw Fail("dict key is None");
            dict.Items.Add(new(key, pairs[i + 1]));
        }
    }

    private StorageRef PersistentLoad(object? pid)
    {
        if (pid is not PickleTuple { Items: [string tag, PickleGlobal type, string key, string, long numel] } || tag != "storage")
        {
            throw Fail("persistent id is not ('storage', type, key, location, numel)");
        }
        if (type.Module != "torch" || !StorageTypes.TryGetValue(type.Name, out var dtype))
        {
            throw Fail($"persistent id names '{type}', not a storage type");
        }
        if (numel < 0 || key.Length == 0 || key.Length > 64 || !key.All(char.IsAsciiLetterOrDigit))
        {
            throw Fail($"storage '{key}' has a bad key or element count {numel}");
        }
        return new StorageRef(dtype, key, numel);
    }

    private object Reduce(object? callable, object? args)
    {
        if (args is not PickleTuple tuple)
        {
            throw Fail("REDUCE arguments are not a tuple");
        }
        if (callable is PickleGlobal g && g == OrderedDict)
        {
            return tuple.Items.Count == 0 ? new PickleDict() : throw Fail("OrderedDict called with arguments");
        }
        if (callable is PickleGlobal r && r == RebuildTensorV2)
        {
            return RebuildTensor(tuple.Items);
        }
        throw Fail($"REDUCE on '{callable}' is not allowed (only OrderedDict() and _rebuild_tensor_v2)");
    }

    private TensorRecord RebuildTensor(IReadOnlyList<object?> a)
    {
        if (a.Count is < 6 or > 7 || a[0] is not StorageRef storage || a[1] is not long offset
            || a[2] is not PickleTuple size || a[3] is not PickleTuple stride || a[4] is not bool)
        {
            throw Fail("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, requires_grad, hooks[, metadata])");
        }
        if (a[5] is not PickleDict { Items.Count: 0 })
        {
            throw Fail("tensor has backward hooks");
        }
        if (size.Items.Count != stride.Items.Count || size.Items.Any(d => d is not long) || stride.Items.Any(s => s is not long))
        {
            throw Fail("tensor size and stride are not integer tuples of equal length");
        }
        var dims = size.Items.Select(d => (long)d!).ToArray();
        if (dims.Any(d => d is < 0 or > int.MaxValue))
        {
            throw Fail($"tensor size ({string.Join(", ", dims)}) has a negative or too large dimension");
        }
        return new TensorRecord(storage, offset, [.. dims.Select(d => (int)d)], [.. stride.Items.Select(s => (long)s!)]);
    }

    private void Build(object? state)
    {
        // torch.save of a state dict ends with BUILD({'_metadata': OrderedDict(...)}) on the OrderedDict:
        // module versions only, not needed for the weights, so the state is checked for shape and dropped.
        if (Top() is not PickleDict || state is not PickleDict)
        {
            throw Fail("BUILD is only allowed to set the attributes of a dict");
        }
    }
}
