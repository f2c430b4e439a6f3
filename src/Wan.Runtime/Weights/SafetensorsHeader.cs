using System.Text;
using System.Text.Json;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights;

/// <summary>
/// Parses and validates a safetensors header (JSON after the 8-byte little-endian length).
/// Every way a header can be wrong becomes a <see cref="SafetensorsFormatException"/>; nothing else escapes.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>Headers of real checkpoints are a few hundred KB; the reference implementation caps them at 100 MB.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static (Dictionary<string, TensorInfo> Tensors, Dictionary<string, string> Metadata) Parse(
        string path, ReadOnlySpan<byte> json, long dataLength)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(json);
        }
        catch (DecoderFallbackException)
        {
            throw new SafetensorsFormatException(path, "header is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"header is not valid JSON ({e.Message})");
        }

        using (doc)
        {
            try
            {
                return ReadRoot(path, doc.RootElement, dataLength);
            }
            catch (InvalidOperationException e)
            {
                // JsonElement.GetString and JsonProperty.Name throw this for escapes such as a lone "\ud800".
                throw new SafetensorsFormatException(path, $"header contains an invalid string ({e.Message})");
            }
        }
    }

    private static (Dictionary<string, TensorInfo> Tensors, Dictionary<string, string> Metadata) ReadRoot(
        string path, JsonElement root, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, $"header must be a JSON object, found {root.ValueKind}");
        }

        var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in root.EnumerateObject())
        {
            if (!seen.Add(prop.Name))
            {
                throw new SafetensorsFormatException(path, $"duplicate entry '{prop.Name}' in the header");
            }
            if (prop.Name == "__metadata__")
            {
                ReadMetadata(path, prop.Value, metadata);
            }
            else
            {
                tensors.Add(prop.Name, ReadTensor(path, prop.Name, prop.Value, dataLength));
            }
        }
        CheckNoOverlap(path, tensors.Values);
        return (tensors, metadata);
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, "__metadata__ must be an object of strings");
        }
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafetensorsFormatException(path, $"__metadata__ value '{m.Name}' is not a string");
            }
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
            {
                throw new SafetensorsFormatException(path, $"duplicate __metadata__ key '{m.Name}'");
            }
        }
    }

    private static TensorInfo ReadTensor(string path, string name, JsonElement e, long dataLength)
    {
        string Where(string problem) => $"tensor '{name}': {problem}";
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, Where("entry is not an object"));
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in e.EnumerateObject())
        {
            if (!keys.Add(k.Name))
            {
                throw new SafetensorsFormatException(path, Where($"duplicate key '{k.Name}'"));
            }
            if (k.Name is not ("dtype" or "shape" or "data_offsets"))
            {
                throw new SafetensorsFormatException(path, Where($"unexpected key '{k.Name}'"));
            }
        }
        if (!e.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
        {
            throw new SafetensorsFormatException(path, Where("missing string 'dtype'"));
        }
        var dtypeName = dtypeEl.GetString()!;
        if (!DTypeInfo.TryParseSafetensors(dtypeName, out var dtype))
        {
            throw new SafetensorsFormatException(path, Where($"unknown dtype '{dtypeName}'"));
        }
        if (!e.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
        {
            throw new SafetensorsFormatException(path, Where("missing array 'shape'"));
        }
        var dims = new int[shapeEl.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0 || v > int.MaxValue)
            {
                throw new SafetensorsFormatException(path, Where($"shape dimension {i} is {d.GetRawText()}, not an integer in [0, {int.MaxValue}]"));
            }
            dims[i++] = (int)v;
            if (count != 0 && v > long.MaxValue / 8 / count)
            {
                throw new SafetensorsFormatException(path, Where($"shape [{string.Join(", ", dims[..i])}...] overflows"));
            }
            count *= v;
        }
        if (!e.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
        {
            throw new SafetensorsFormatException(path, Where("missing 'data_offsets' [begin, end]"));
        }
        var begin = ReadOffset(path, name, offEl[0]);
        var end = ReadOffset(path, name, offEl[1]);
        if (end < begin)
        {
            throw new SafetensorsFormatException(path, Where($"data_offsets [{begin}, {end}] end before begin"));
        }
        if (end > dataLength)
        {
            throw new SafetensorsFormatException(path, Where($"data_offsets [{begin}, {end}] out of range: the data section has {dataLength} bytes"));
        }
        long expected = count * dtype.SizeOf();
        if (end - begin != expected)
        {
            throw new SafetensorsFormatException(path, Where(
                $"data_offsets [{begin}, {end}] hold {end - begin} bytes but shape [{string.Join(", ", dims)}] x {dtypeName} needs {expected}"));
        }
        return new TensorInfo(name, dtype, new Shape(dims), begin, end - begin);
    }

    private static long ReadOffset(string path, string name, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 0)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}': data offset {e.GetRawText()} is not a non-negative integer");
        }
        return v;
    }

    private static void CheckNoOverlap(string path, IEnumerable<TensorInfo> tensors)
    {
        TensorInfo? previous = null;
        foreach (var t in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.DataOffset))
        {
            if (previous is not null && t.DataOffset < previous.DataOffset + previous.ByteLength)
            {
                throw new SafetensorsFormatException(path,
                    $"tensors '{previous.Name}' and '{t.Name}' overlap (bytes {t.DataOffset}..{previous.DataOffset + previous.ByteLength})");
            }
            previous = t;
        }
    }
}
