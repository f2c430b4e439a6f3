using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Text;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Testing;

namespace Wan.Runtime.Tests.Weights;

/// <summary>
/// Seeded random mutations of a valid file: opening it and reading every tensor either works or throws
/// <see cref="SafetensorsFormatException"/> — never another exception type, never a hang.
/// </summary>
public partial class SafetensorsFuzzTests
{
    private const int Iterations = 3000;

    private static readonly string[] InterestingNumbers =
    [
        "0", "1", "-1", "3", "7", "8", "255", "2147483647", "2147483648", "4294967296", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551615",
        "1e3", "1.5", "-0", "0.0", "1e400", "00", "99999999999999999999999999",
    ];

    private static readonly string[] DTypeNames =
        ["F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "I64", "I32", "I16", "I8", "U8", "BOOL", "F31", "", "f32", "I64 ", "\\u0046\\u0033\\u0032"];

    private static readonly string[] Shapes =
        ["[]", "[0]", "[-1]", "[1, 2, 3]", "[2147483647, 2147483647]", "[3, 5]", "[7]", "[1.5]", "[\"3\"]", "[[3]]", "3", "null", "[4294967296, 0]"];

    private static readonly string[] Fragments = ["{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "\\ud800", "null", "é", "\0", "  "];

    [Test]
    public void RandomMutationsOpenOrFailWithAFormatError()
    {
        using var dir = new TempDirectory();
        var valid = BuildValidFile(dir.Combine("valid.safetensors"));
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        var header = Encoding.UTF8.GetString(valid, 8, headerLength);
        var data = valid.AsSpan(8 + headerLength).ToArray();

        var rng = new Random(20250611);
        var path = dir.Combine("mutant.safetensors");
        int accepted = 0, rejected = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Iterations; i++)
        {
            var (bytes, what) = Mutate(rng, valid, header, data);
            if (rng.Next(4) == 0)
            {
                var second = Mutate(rng, bytes, header, data);
                bytes = second.Bytes;
                what += " + " + second.What;
            }
            File.WriteAllBytes(path, bytes);
            try
            {
                ReadEverything(path);
                accepted++;
            }
            catch (SafetensorsFormatException e)
            {
                Assert.That(e.FilePath, Is.EqualTo(path));
                rejected++;
            }
            catch (Exception e)
            {
                failures.Add($"#{i} {what}: {e.GetType().Name}: {e.Message}");
            }
        }
        TestContext.Out.WriteLine($"{Iterations} mutants: {accepted} opened and read, {rejected} rejected, {failures.Count} wrong exceptions, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        Assert.That(accepted, Is.GreaterThan(0), "no mutant survived: the mutations (or the reader) are broken");
        Assert.That(rejected, Is.GreaterThan(Iterations / 4), "too few mutants rejected: the mutations do not reach the header");
    }

    private static void ReadEverything(string path)
    {
        using var file = SafetensorsFile.Open(path);
        foreach (var info in file.Tensors)
        {
            var t = file.Get(info.Name);
            Assert.That(t.ToByteArray().Length, Is.EqualTo(info.ByteLength));
            var count = info.DType.IsFloat() ? t.ToFloatArray().Length : t.ToInt64Array().Length;
            Assert.That(count, Is.EqualTo(t.ElementCount));
        }
        _ = file.Metadata.Count;
    }

    private static (byte[] Bytes, string What) Mutate(Random rng, byte[] file, string header, byte[] data)
    {
        if (file.Length < 8)
        {
            return (file, "nothing (too short)");
        }
        var headerEnd = 8 + (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(file), (ulong)(file.Length - 8));
        switch (rng.Next(8))
        {
            case 0:
            {
                var bytes = (byte[])file.Clone();
                var flips = rng.Next(1, 5);
                for (int k = 0; k < flips && headerEnd > 8; k++)
                {
                    bytes[rng.Next(8, headerEnd)] = (byte)rng.Next(256);
                }
                return (bytes, $"{flips} header byte(s) overwritten");
            }
            case 1:
            {
                var length = rng.Next(file.Length);
                return (file[..length], $"truncated to {length} bytes");
            }
            case 2:
            {
                var declared = rng.Next(6) switch
                {
                    0 => 0UL,
                    1 => ulong.MaxValue,
                    2 => 1UL << 63,
                    3 => (ulong)rng.NextInt64(),
                    _ => (ulong)Math.Max(0, headerEnd - 8 + rng.Next(-16, 17)),
                };
                var bytes = (byte[])file.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
                return (bytes, $"header length set to {declared}");
            }
            case 3:
                return ReplaceOne(rng, header, data, NumberPattern(), InterestingNumbers, rng.Next(3) == 0 ? rng.Next(0, 2 * data.Length).ToString() : null, "number");
            case 4:
                return ReplaceOne(rng, header, data, DTypePattern(), DTypeNames.Select(d => $"\"dtype\": \"{d}\"").ToArray(), null, "dtype");
            case 5:
                return ReplaceOne(rng, header, data, ShapePattern(), Shapes.Select(s => $"\"shape\": {s}").ToArray(), null, "shape");
            case 6:
            {
                var begin = rng.Next(-2, data.Length + 8);
                var end = rng.Next(-2, data.Length + 8);
                return ReplaceOne(rng, header, data, OffsetsPattern(), [$"\"data_offsets\": [{begin}, {end}]"], null, "data_offsets");
            }
            default:
            {
                var at = rng.Next(header.Length);
                var edited = rng.Next(2) == 0
                    ? header.Remove(at, 1)
                    : header.Insert(at, Fragments[rng.Next(Fragments.Length)]);
                return (SafetensorsBytes.Build(Encoding.UTF8.GetBytes(edited), data), $"header text edited at {at}");
            }
        }
    }

    /// <summary>Replaces one random match of <paramref name="pattern"/> in the header and rebuilds the file with the right length.</summary>
    private static (byte[] Bytes, string What) ReplaceOne(Random rng, string header, byte[] data, Regex pattern, string[] choices, string? forced, string what)
    {
        var matches = pattern.Matches(header);
        var m = matches[rng.Next(matches.Count)];
        var replacement = forced ?? choices[rng.Next(choices.Length)];
        var edited = header[..m.Index] + replacement + header[(m.Index + m.Length)..];
        return (SafetensorsBytes.Build(Encoding.UTF8.GetBytes(edited), data), $"{what} '{m.Value}' -> '{replacement}'");
    }

    private static byte[] BuildValidFile(string path)
    {
        var rng = new Random(7);
        (string Name, DType DType, Shape Shape)[] entries =
        [
            ("w.f32", DType.F32, new Shape(3, 5)),
            ("w.bf16", DType.BF16, new Shape(7)),
            ("ids", DType.I64, new Shape(4)),
            ("mask", DType.Bool, new Shape(6)),
            ("empty", DType.F16, new Shape(0, 3)),
            ("scalar", DType.F64, new Shape()),
        ];
        using (var w = new SafetensorsWriter(path, entries, new Dictionary<string, string> { ["format"] = "pt" }))
        {
            foreach (var (name, dtype, shape) in entries)
            {
                var bytes = new byte[shape.ElementCount * dtype.SizeOf()];
                rng.NextBytes(bytes);
                if (bytes.Length > 0)
                {
                    w.WriteTensor(name, bytes);
                }
            }
            w.Commit();
        }
        return File.ReadAllBytes(path);
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("\"dtype\": ?\"[^\"]*\"")]
    private static partial Regex DTypePattern();

    [GeneratedRegex(@"""shape"": ?\[[^\]]*\]")]
    private static partial Regex ShapePattern();

    [GeneratedRegex(@"""data_offsets"": ?\[[^\]]*\]")]
    private static partial Regex OffsetsPattern();
}
