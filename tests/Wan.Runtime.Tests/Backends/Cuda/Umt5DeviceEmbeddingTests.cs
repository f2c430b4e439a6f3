using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The umT5 token embedding on the CUDA backend, on every fixture model: the table is loaded onto the device in the
/// storage type, an encode starts with one gather launch fed by an int32 upload of the ids (no embedding row crosses
/// from the host), the dry-run device issues the same launch list as the emulated device, and an id outside the
/// vocabulary is refused naming it before anything reaches the device.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class Umt5DeviceEmbeddingTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void EncodeStartsWithTheGatherOnTheDeviceAndTheDryRunIssuesTheSameCalls(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var directory = Path.Combine(set.Diffusers, "text_encoder");
        var recording = new RecordingDevice(Emulator);
        long before = Emulator.AllocatedBytes;
        using var backend = new CudaBackend(recording, DType.BF16);
        using var encoder = Umt5Encoder.Load(backend, directory);
        long tableBytes = 2L * encoder.Config.VocabSize * encoder.Config.DModel;
        Assert.That(Emulator.AllocatedBytes - before, Is.GreaterThanOrEqualTo(tableBytes), "the bf16 table is on the device");

        int[] ids = [.. Enumerable.Range(0, 23).Select(i => i * 7919 % encoder.Config.VocabSize), encoder.Config.VocabSize - 1];
        recording.Log.ClearCalls();
        long copiedBefore = recording.Log.CopiedBytes;
        using (var rows = encoder.Embed(ids))
        {
            Assert.Multiple(() =>
            {
                Assert.That(recording.Log.Calls.Select(c => c.Name), Is.EqualTo(new[] { "gather_rows_16bit" }));
                Assert.That(recording.Log.CopiedBytes - copiedBefore, Is.EqualTo(4L * ids.Length), "only the int32 ids are copied in");
                Assert.That(rows.Shape, Is.EqualTo(new Shape(ids.Length, encoder.Config.DModel)));
            });
        }
        recording.Log.ClearCalls();
        encoder.Encode(ids).Dispose();
        var emulatedCalls = recording.Log.Calls.ToList();

        using var dry = new DryRunDevice();
        using var dryBackend = new CudaBackend(dry, DType.BF16);
        using var dryEncoder = Umt5Encoder.Load(dryBackend, directory);
        dry.Log.ClearCalls();
        dryEncoder.Encode(ids).Dispose();
        TestContext.Out.WriteLine($"{set.Name}: encode of {ids.Length} ids = {emulatedCalls.Count} calls, first {emulatedCalls[0].Name} grid {emulatedCalls[0].Grid.X}");
        Assert.Multiple(() =>
        {
            Assert.That(emulatedCalls[0].Name, Is.EqualTo("gather_rows_16bit"), "the encode begins with the device gather");
            Assert.That(DryRunLog.FirstDifference(emulatedCalls, dry.Log.Calls), Is.Null, "the dry run issues the same launches and GEMMs");
        });
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AnIdOutsideTheVocabularyIsNamedBeforeAnythingRuns(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var recording = new RecordingDevice(Emulator);
        using var backend = new CudaBackend(recording, DType.BF16);
        using var encoder = Umt5Encoder.Load(backend, Path.Combine(set.Diffusers, "text_encoder"));
        int vocab = encoder.Config.VocabSize;
        recording.Log.ClearCalls();
        long copiedBefore = recording.Log.Copies;
        Assert.That(() => encoder.Encode([5, 9, vocab, 1]),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.EqualTo(
                $"umT5 encode: token id {vocab} at position 2 is outside the vocabulary of {vocab} (Parameter 'ids')"));
        Assert.That((recording.Log.Calls.Count, recording.Log.Copies - copiedBefore), Is.EqualTo((0, 0L)), "no launch, no upload");
    }
}
