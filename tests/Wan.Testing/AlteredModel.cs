using System.Buffers.Binary;
using System.Text.Json;

namespace Wan.Testing;

/// <summary>
/// A copy of a diffusers model folder in a fresh temp folder, with chosen weights altered in place:
/// components are symbolic links to the original until one is altered, which then becomes a real copy
/// (the original fixture is never written). Weights are edited in their stored dtype (F32, BF16, F16).
/// </summary>
public sealed class AlteredModel : IDisposable
{
    private AlteredModel(string path) => Path = path;

    /// <summary>The model folder to open.</summary>
    public string Path { get; }

    /// <summary>Links every entry of <paramref name="diffusers"/> into a new temp folder.</summary>
    public static AlteredModel Of(string diffusers)
    {
        var model = new AlteredModel(Directory.CreateTempSubdirectory("wan-altered-model-").FullName);
        foreach (var entry in Directory.EnumerateFileSystemEntries(diffusers))
        {
            Directory.CreateSymbolicLink(System.IO.Path.Combine(model.Path, System.IO.Path.GetFileName(entry)), entry);
        }
        return model;
    }

    /// <summary>Rewrites <paramref name="file"/> of <paramref name="component"/> (e.g. "transformer", "config.json") as JSON.</summary>
    public void AlterJson(string component, string file, Action<System.Text.Json.Nodes.JsonObject> alter)
    {
        var path = System.IO.Path.Combine(Own(component), file);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        alter(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>
    /// Rewrites weight <paramref name="tensor"/> of <paramref name="component"/> (e.g. "transformer",
    /// "proj_out.bias") with <paramref name="alter"/> applied to its values as float32.
    /// </summary>
    public void Alter(string component, string tensor, Action<float[]> alter)
    {
        var folder = Own(component);
        foreach (var file in Directory.EnumerateFiles(folder, "*.safetensors"))
        {
            var bytes = File.ReadAllBytes(file);
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
            using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            if (!header.RootElement.TryGetProperty(tensor, out var entry))
            {
                continue;
            }
            var dtype = entry.GetProperty("dtype").GetString()!;
            var offsets = entry.GetProperty("data_offsets");
            int start = checked((int)(8 + headerLength + offsets[0].GetInt64())), end = checked((int)(8 + headerLength + offsets[1].GetInt64()));
            int size = dtype == "F32" ? 4 : 2;
            var values = new float[(end - start) / size];
            for (int i = 0; i < values.Length; i++)
            {
                var at = bytes.AsSpan(start + i * size);
                values[i] = dtype switch
                {
                    "F32" => BinaryPrimitives.ReadSingleLittleEndian(at),
                    "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(at),
                    "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(at) << 16),
                    _ => throw new NotSupportedException($"{file}: cannot alter {tensor} of dtype {dtype}"),
                };
            }
            alter(values);
            for (int i = 0; i < values.Length; i++)
            {
                var at = bytes.AsSpan(start + i * size);
                switch (dtype)
                {
                    case "F32":
                        BinaryPrimitives.WriteSingleLittleEndian(at, values[i]);
                        break;
                    case "F16":
                        BinaryPrimitives.WriteHalfLittleEndian(at, (Half)values[i]);
                        break;
                    default:
                        BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
                        break;
                }
            }
            File.WriteAllBytes(file, bytes);
            return;
        }
        throw new ArgumentException($"{folder}: no safetensors file holds '{tensor}'");
    }

    /// <summary>The component's folder, turned from a link into a real copy on first use.</summary>
    private string Own(string component)
    {
        var folder = System.IO.Path.Combine(Path, component);
        var info = new DirectoryInfo(folder);
        if (info.LinkTarget is { } target)
        {
            info.Delete();
            Directory.CreateDirectory(folder);
            foreach (var file in Directory.EnumerateFiles(target))
            {
                File.Copy(file, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(file)));
            }
        }
        return folder;
    }

    /// <summary>Deletes the copied model folder.</summary>
    public void Dispose() => Directory.Delete(Path, true);
}
