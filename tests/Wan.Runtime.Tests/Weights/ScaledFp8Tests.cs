using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Weights;

/// <summary>fp8 weights in wan-convert's layout (E4M3 codes + float32 NAME_scale) load dequantized.</summary>
public class ScaledFp8Tests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-fp8-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private string Write(byte[] codes, int rows, int cols, float[]? scales)
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var entries = new List<(string, DType, Shape)> { ("w", DType.F8E4M3, new Shape(rows, cols)) };
        if (scales is not null)
        {
            entries.Add(("w_scale", DType.F32, new Shape(scales.Length)));
        }
        using var writer = new SafetensorsWriter(path, entries);
        writer.WriteTensor("w", codes);
        if (scales is not null)
        {
            writer.WriteTensor("w_scale", scales.AsSpan());
        }
        writer.Commit();
        return path;
    }

    [Test]
    public void PerChannelAndPerTensorScalesAreApplied()
    {
        byte[] codes = [0x38, 0xB8, 0x40, 0x30, 0x7E, 0x00]; // 1, -1, 2, 0.5, 448, 0 in E4M3
        using var backend = new CpuBackend();
        using (var ckpt = SafetensorsCheckpoint.Open(Write(codes, 2, 3, [0.5f, 3f])))
        using (var loader = new WeightLoader(backend, ckpt, "DiT"))
        {
            Assert.That(backend.ToHost(loader.Load("w", 2, 3)), Is.EqualTo(new[] { 0.5f, -0.5f, 1f, 1.5f, 1344f, 0f }));
        }
        using (var ckpt = SafetensorsCheckpoint.Open(Write(codes, 2, 3, [0.25f])))
        using (var loader = new WeightLoader(backend, ckpt, "DiT"))
        {
            Assert.That(backend.ToHost(loader.Load("w", 2, 3)), Is.EqualTo(new[] { 0.25f, -0.25f, 0.5f, 0.125f, 112f, 0f }));
        }
    }

    [Test]
    public void MissingOrMisshapenScaleIsAClearError()
    {
        using var backend = new CpuBackend();
        using (var ckpt = SafetensorsCheckpoint.Open(Write(new byte[6], 2, 3, null)))
        using (var loader = new WeightLoader(backend, ckpt, "DiT"))
        {
            var ex = Assert.Throws<InvalidDataException>(() => loader.Load("w", 2, 3));
            Assert.That(ex!.Message, Does.Contain("'w_scale'").And.Contain("fp8 weight 'w'"));
        }
        using (var ckpt = SafetensorsCheckpoint.Open(Write(new byte[6], 2, 3, [1f, 2f, 3f])))
        using (var loader = new WeightLoader(backend, ckpt, "DiT"))
        {
            var ex = Assert.Throws<InvalidDataException>(() => loader.Load("w", 2, 3));
            Assert.That(ex!.Message, Does.Contain("has 3 values").And.Contain("needs 1 or 2"));
        }
    }
}
