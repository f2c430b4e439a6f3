using System.Text;
using Wan.Runtime.Weights;
using static Wan.Runtime.Tests.Weights.SafetensorsBytes;
using Wan.Testing;

namespace Wan.Runtime.Tests.Weights;

/// <summary>Every class of broken weight file is rejected with one exception naming the file and the problem.</summary>
public class SafetensorsBadFileTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => _dir.Dispose();

    [Test]
    public void TruncatedFileShorterThanTheLengthPrefix() =>
        AssertRejected([1, 0, 0, 0, 0], "truncated: 5 bytes");

    [Test]
    public void EmptyFile() =>
        AssertRejected([], "truncated: 0 bytes");

    [Test]
    public void HeaderLengthBeyondTheFile() =>
        AssertRejected(Build(Encoding.UTF8.GetBytes("{}"), new byte[16], declaredHeaderLength: 1000), "header length 1000 runs past the end");

    [TestCase(ulong.MaxValue)]
    [TestCase(1UL << 40)]
    [TestCase(200UL * 1024 * 1024)]
    public void AbsurdlyLargeHeaderLength(ulong declared) =>
        AssertRejected(Build(Encoding.UTF8.GetBytes("{}"), [], declared), $"header length {declared} is absurd");

    [Test]
    public void HeaderNotUtf8() =>
        AssertRejected(Build([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "not valid UTF-8");

    [TestCase("hello")]
    [TestCase("{\"a\": ")]
    [TestCase("")]
    [TestCase("{\"a\": {\"dtype\": \"F32\",}}")]
    public void HeaderNotJson(string header) =>
        AssertRejected(Build(header, 0), "not valid JSON");

    [TestCase("[1, 2]", "Array")]
    [TestCase("\"text\"", "String")]
    [TestCase("42", "Number")]
    [TestCase("null", "Null")]
    public void HeaderNotAnObject(string header, string found) =>
        AssertRejected(Build(header, 0), $"header must be a JSON object, found {found}");

    [Test]
    public void DataOffsetsOutOfRange() =>
        AssertRejected(Build("{" + Entry("w", "F32", "[4]", 0, 16) + "}", 8), "tensor 'w': data_offsets [0, 16] out of range: the data section has 8 bytes");

    [Test]
    public void DataOffsetsEndBeforeBegin() =>
        AssertRejected(Build("{" + Entry("w", "F32", "[1]", 8, 4) + "}", 8), "tensor 'w': data_offsets [8, 4] end before begin");

    [TestCase("-4")]
    [TestCase("1.5")]
    [TestCase("\"0\"")]
    [TestCase("99999999999999999999999")]
    public void DataOffsetNotANonNegativeInteger(string begin) =>
        AssertRejected(Build("{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [" + begin + ", 1]}}", 4), $"data offset {begin} is not a non-negative integer");

    [Test]
    public void OverlappingTensors() =>
        AssertRejected(Build("{" + Entry("a", "F32", "[2]", 0, 8) + ", " + Entry("b", "F32", "[2]", 4, 12) + "}", 12), "tensors 'a' and 'b' overlap");

    [Test]
    public void ByteLengthNotMatchingShapeTimesDType() =>
        AssertRejected(Build("{" + Entry("w", "BF16", "[3, 5]", 0, 32) + "}", 32), "hold 32 bytes but shape [3, 5] x BF16 needs 30");

    [Test]
    public void NegativeShape() =>
        AssertRejected(Build("{" + Entry("w", "F32", "[2, -1]", 0, 0) + "}", 0), "tensor 'w': shape dimension 1 is -1");

    [TestCase("[2147483648]", "shape dimension 0 is 2147483648")]
    [TestCase("[2147483647, 2147483647, 2147483647]", "overflows")]
    [TestCase("[65536, 65536, 65536, 65536, 0]", "overflows")]
    public void OverflowingShape(string shape, string problem) =>
        AssertRejected(Build("{" + Entry("w", "F64", shape, 0, 8) + "}", 8), problem);

    [TestCase("F31")]
    [TestCase("f32")]
    [TestCase("")]
    public void UnknownDType(string dtype) =>
        AssertRejected(Build("{" + Entry("w", dtype, "[1]", 0, 4) + "}", 4), $"tensor 'w': unknown dtype '{dtype}'");

    [Test]
    public void DuplicateTensorNames() =>
        AssertRejected(Build("{" + Entry("w", "F32", "[1]", 0, 4) + ", " + Entry("w", "F32", "[1]", 4, 8) + "}", 8), "duplicate entry 'w'");

    [Test]
    public void DuplicateKeyInsideAnEntry() =>
        AssertRejected(Build("{\"w\": {\"dtype\": \"F32\", \"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "tensor 'w': duplicate key 'dtype'");

    [TestCase("{\"w\": 3}", "tensor 'w': entry is not an object")]
    [TestCase("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", "tensor 'w': missing string 'dtype'")]
    [TestCase("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", "tensor 'w': missing array 'shape'")]
    [TestCase("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", "tensor 'w': missing 'data_offsets' [begin, end]")]
    [TestCase("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"extra\": 1}}", "tensor 'w': unexpected key 'extra'")]
    public void MalformedTensorEntry(string header, string problem) =>
        AssertRejected(Build(header, 4), problem);

    [TestCase("{\"__metadata__\": [\"a\"]}", "__metadata__ must be an object of strings")]
    [TestCase("{\"__metadata__\": {\"a\": 1}}", "__metadata__ value 'a' is not a string")]
    [TestCase("{\"__metadata__\": {\"a\": \"x\", \"a\": \"y\"}}", "duplicate __metadata__ key 'a'")]
    public void MalformedMetadata(string header, string problem) =>
        AssertRejected(Build(header, 0), problem);

    [TestCase("{\"\\ud800\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}")]
    [TestCase("{\"__metadata__\": {\"k\": \"\\udc00x\"}}")]
    public void InvalidUnicodeEscapeInAName(string header) =>
        AssertRejected(Build(header, 4), "invalid string");

    [Test]
    public void IndexNamingAMissingShard()
    {
        WriteValidShard("model-00001-of-00002.safetensors", "a");
        var index = WriteIndex("{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}");
        AssertCheckpointRejected(index, "index names shard 'model-00002-of-00002.safetensors' (for 'b'), which does not exist");
    }

    [Test]
    public void IndexNamingATensorItsShardLacks()
    {
        WriteValidShard("model-00001-of-00001.safetensors", "a");
        var index = WriteIndex("{\"a\": \"model-00001-of-00001.safetensors\", \"b\": \"model-00001-of-00001.safetensors\"}");
        AssertCheckpointRejected(index, "index places tensor 'b' in 'model-00001-of-00001.safetensors', which does not contain it");
    }

    [Test]
    public void IndexNamingAShardOutsideItsDirectory()
    {
        WriteValidShard("model.safetensors", "a");
        var index = WriteIndex("{\"a\": \"../model.safetensors\"}");
        AssertCheckpointRejected(index, "index names shard '../model.safetensors' (for 'a'), which does not exist");
    }

    [TestCase("{\"weight_map\": [1]}", "index has no 'weight_map' object")]
    [TestCase("{\"metadata\": {}}", "index has no 'weight_map' object")]
    [TestCase("{\"weight_map\": {\"a\": 3}}", "weight_map entry 'a' is not a file name")]
    [TestCase("{\"weight_map\": {\"a\": \"x\", \"a\": \"x\"}}", "weight_map lists 'a' twice")]
    [TestCase("{\"weight_map\": ", "index is not valid JSON")]
    [TestCase("{\"weight_map\": {\"\\udc00\": \"x\"}}", "index contains an invalid string")]
    public void MalformedIndex(string json, string problem)
    {
        var index = _dir.Combine("model.safetensors.index.json");
        File.WriteAllText(index, json);
        AssertCheckpointRejected(index, problem);
    }

    [Test]
    public void IndexNotUtf8()
    {
        var index = _dir.Combine("model.safetensors.index.json");
        var json = Encoding.UTF8.GetBytes("{\"weight_map\": {\"a\": \"model.safetensors\"}}");
        json[17] = 0xFF;
        File.WriteAllBytes(index, json);
        AssertCheckpointRejected(index, "index is not valid UTF-8");
    }

    [Test]
    public void ShardErrorsNameTheShard()
    {
        var shard = _dir.Combine("model-00001-of-00001.safetensors");
        File.WriteAllBytes(shard, [1, 2, 3]);
        var index = WriteIndex("{\"a\": \"model-00001-of-00001.safetensors\"}");
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.Open(_dir.Path).Dispose());
        Assert.That(e!.FilePath, Is.EqualTo(shard));
        Assert.That(e.Message, Does.Contain(shard).And.Contain("truncated"));
        Assert.That(index, Does.Exist);
    }

    [Test]
    public void MissingFile()
    {
        var path = _dir.Combine("absent.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.That(e!.Message, Does.Contain(path));
        Assert.That(e.FileName, Is.EqualTo(path));
        var c = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(path).Dispose());
        Assert.That(c!.Message, Does.Contain(path));
    }

    [Test]
    public void DirectoryWithoutWeights()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(_dir.Path).Dispose());
        Assert.That(e!.Message, Does.Contain(_dir.Path).And.Contain("no *.safetensors file"));
    }

    private void AssertRejected(byte[] file, string problem)
    {
        var path = _dir.Combine("bad.safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.That(e!.FilePath, Is.EqualTo(path));
        Assert.That(e.Message, Does.StartWith(path + ": "));
        Assert.That(e.Problem, Does.Contain(problem));
        // The directory form reaches the same check and names the same file.
        var viaCheckpoint = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.Open(_dir.Path).Dispose());
        Assert.That(viaCheckpoint!.FilePath, Is.EqualTo(path));
    }

    private void AssertCheckpointRejected(string index, string problem)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.Open(_dir.Path).Dispose());
        Assert.That(e!.FilePath, Is.EqualTo(index));
        Assert.That(e.Message, Does.StartWith(index + ": "));
        Assert.That(e.Problem, Does.Contain(problem));
    }

    private void WriteValidShard(string name, string tensor) =>
        File.WriteAllBytes(_dir.Combine(name), Build("{" + Entry(tensor, "F32", "[2]", 0, 8) + "}", 8));

    private string WriteIndex(string weightMap)
    {
        var index = _dir.Combine("model.safetensors.index.json");
        File.WriteAllText(index, "{\"metadata\": {\"total_size\": 8}, \"weight_map\": " + weightMap + "}");
        return index;
    }
}
