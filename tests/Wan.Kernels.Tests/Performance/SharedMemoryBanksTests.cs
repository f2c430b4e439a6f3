using Wan.Kernels.Performance;

namespace Wan.Kernels.Tests.Performance;

/// <summary>
/// The bank-conflict counter on patterns with known answers, and on the attention kernels' replayed
/// addresses: it must flag the old kernel's transposed V stores and pass the new kernel's accesses.
/// </summary>
public class SharedMemoryBanksTests
{
    private static long[] Lanes(Func<int, long> address) => Enumerable.Range(0, 32).Select(address).ToArray();

    [Test]
    public void KnownPatterns()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 4 * l), 4), Is.EqualTo(1), "consecutive words");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(_ => 64), 4), Is.EqualTo(1), "one word: broadcast");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 8 * l), 4), Is.EqualTo(2), "stride 2 words: 2-way");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 128 * l), 4), Is.EqualTo(32), "one bank: 32-way");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 2 * l), 2), Is.EqualTo(1), "16-bit pairs share words");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 16 * l), 16), Is.EqualTo(4), "16 bytes per lane: four quarter-warp phases");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 256 * (l % 8) + 16 * (l / 8)), 16), Is.EqualTo(32), "unpadded 256-byte rows: 8-way in each of the 4 phases");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => 272 * (l % 8) + 16 * (l / 8)), 16), Is.EqualTo(4), "rows padded to 272 bytes");
            Assert.That(SharedMemoryBanks.Wavefronts(Lanes(l => l < 4 ? 4 * l : -1), 4), Is.EqualTo(1), "inactive lanes cost nothing");
        });
    }

    [Test]
    public void BadAccessesAreNamed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SharedMemoryBanks.Wavefronts(new long[31], 4), Throws.ArgumentException.With.Message.Contains("32 lane addresses"));
            Assert.That(() => SharedMemoryBanks.Wavefronts(new long[32], 12), Throws.ArgumentException.With.Message.Contains("12 bytes per lane"));
            Assert.That(() => SharedMemoryBanks.Wavefronts(Lanes(l => 16 * l + 8), 16), Throws.ArgumentException.With.Message.Contains("lane 0: address 8 is not 16-byte aligned"));
        });
    }

    /// <summary>
    /// The old kernel stored Vᵀ with 16-bit stores: a warp's 32 lanes hold one key r and even columns
    /// c = 0..62, address (c·40 + r)·2 bytes, so the words fall in banks 20c mod 32 = 8·(c/2 mod 4): four
    /// banks with eight distinct words each — 8 wavefronts per store where one would do.
    /// </summary>
    [Test]
    public void FlagsTheOldTransposedVStores()
    {
        var tile = new SharedTrafficRecorder();
        new TransposedVAttentionDesign().ReplayTile(128, tile);
        var counts = tile.Counts.ToDictionary(c => c.Access);
        TestContext.Out.WriteLine(string.Join("\n", tile.Counts));
        Assert.Multiple(() =>
        {
            foreach (var store in new[] { "st.shared.b16 Vᵀ (even column)", "st.shared.b16 Vᵀ (odd column)" })
            {
                Assert.That(counts[store].Instructions, Is.EqualTo(64), store);
                Assert.That(counts[store].Wavefronts, Is.EqualTo(8 * 64), store);
                Assert.That(counts[store].ConflictFactor, Is.EqualTo(8), store);
            }
            Assert.That(counts["st.shared.b32 K"].ConflictFactor, Is.EqualTo(1), "K rows are stored contiguously");
        });
    }

    [TestCase(64)]
    [TestCase(128)]
    [TestCase(16)]
    public void TheFa2KernelsLdmatrixAccessesAreConflictFree(int headDim)
    {
        var tile = new SharedTrafficRecorder();
        new Fa2AttentionDesign().ReplayTile(headDim, tile);
        var once = new SharedTrafficRecorder();
        new Fa2AttentionDesign().ReplayBlockOnce(headDim, once);
        TestContext.Out.WriteLine(string.Join("\n", tile.Counts.Concat(once.Counts)));
        Assert.Multiple(() =>
        {
            Assert.That(tile.Counts.Select(c => c.Access), Does.Contain("ldmatrix.x4.trans V").And.Contain("ldmatrix.x4 K"));
            foreach (var c in tile.Counts.Concat(once.Counts).Where(c => c.Access.StartsWith("ldmatrix", StringComparison.Ordinal) || headDim >= 64))
            {
                Assert.That(c.ConflictFactor, Is.EqualTo(1), $"head_dim {headDim}: {c.Access}");
            }
        });
    }
}
