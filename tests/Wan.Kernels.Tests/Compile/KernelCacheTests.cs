using System.Diagnostics;
using Wan.Kernels.Compile;

namespace Wan.Kernels.Tests.Compile;

/// <summary>The on-disk NVRTC cache: hits, misses, corruption and what the key depends on.</summary>
[Category("Nvrtc")]
public class KernelCacheTests
{
    private static readonly KernelSource Header = new("common_test.cuh", "__device__ inline float scale(float v) { return 3.0f * v; }\n");
    private static readonly KernelSource Source = new("cache_test.cu", """
        #include "common_test.cuh"
        extern "C" __global__ void cache_test(float* y, int n)
        {
            const int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) { y[i] = scale(y[i]); }
        }
        """);

    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("wan-kernel-cache-test-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void SecondRequestIsACacheHitWithTheSameImage()
    {
        var cache = new KernelCache(_directory);
        var cold = Stopwatch.StartNew();
        var first = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(90), CompileOptions.Default);
        cold.Stop();
        var warm = Stopwatch.StartNew();
        var second = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(90), CompileOptions.Default);
        warm.Stop();
        TestContext.Progress.WriteLine($"kernel cache: cold compile {cold.Elapsed.TotalMilliseconds:F1} ms, cached load {warm.Elapsed.TotalMilliseconds:F2} ms");
        Assert.Multiple(() =>
        {
            Assert.That(first.FromCache, Is.False);
            Assert.That(second.FromCache, Is.True);
            Assert.That(second.Image, Is.EqualTo(first.Image));
            Assert.That(Directory.GetFiles(_directory), Has.Length.EqualTo(1), "one entry, no temporary files left");
        });
    }

    [Test]
    public void MissingCacheDirectoryIsAMissAndIsCreated()
    {
        var directory = Path.Combine(_directory, "not", "yet", "there");
        var cache = new KernelCache(directory);
        var first = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default);
        var second = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default);
        Assert.Multiple(() =>
        {
            Assert.That(first.FromCache, Is.False);
            Assert.That(first.Image, Is.Not.Empty);
            Assert.That(second.FromCache, Is.True, "the first request created the directory and stored the entry");
            Assert.That(Directory.GetFiles(directory), Has.Length.EqualTo(1));
        });
    }

    [TestCase("flip")]
    [TestCase("truncate")]
    [TestCase("empty")]
    public void CorruptEntryIsRebuiltNotLoaded(string damage)
    {
        var cache = new KernelCache(_directory);
        var good = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default);
        var path = cache.PathOf(KernelCache.KeyOf(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default));
        var original = File.ReadAllBytes(path);
        var bytes = (byte[])original.Clone();
        switch (damage)
        {
            case "flip":
                bytes[^10] ^= 0x40;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            default:
                File.WriteAllBytes(path, []);
                break;
        }

        var rebuilt = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default);
        var hit = cache.GetOrCompile(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default);
        Assert.Multiple(() =>
        {
            Assert.That(rebuilt.FromCache, Is.False, "a damaged entry must not be loaded");
            Assert.That(rebuilt.Image, Is.EqualTo(good.Image));
            Assert.That(hit.FromCache, Is.True, "the rebuilt entry replaced the damaged one");
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(original), "the entry on disk is whole again");
        });
    }

    [Test]
    public void KeyDependsOnEveryInput()
    {
        var key = KernelCache.KeyOf(Source, [Header], CompileTarget.Cubin(90), CompileOptions.Default);
        var variants = new Dictionary<string, string>
        {
            ["arch"] = KernelCache.KeyOf(Source, [Header], CompileTarget.Cubin(80), CompileOptions.Default),
            ["ptx"] = KernelCache.KeyOf(Source, [Header], new CompileTarget(90, Ptx: true), CompileOptions.Default),
            ["options"] = KernelCache.KeyOf(Source, [Header], CompileTarget.Cubin(90), new CompileOptions(FastMath: true)),
            ["source"] = KernelCache.KeyOf(Source with { Text = Source.Text + "\n" }, [Header], CompileTarget.Cubin(90), CompileOptions.Default),
            ["header"] = KernelCache.KeyOf(Source, [Header with { Text = Header.Text.Replace("3.0f", "4.0f") }], CompileTarget.Cubin(90), CompileOptions.Default),
            ["header name"] = KernelCache.KeyOf(Source, [Header with { Name = "other.cuh" }], CompileTarget.Cubin(90), CompileOptions.Default),
        };
        Assert.Multiple(() =>
        {
            Assert.That(KernelCache.KeyOf(Source, [Header], CompileTarget.Cubin(90), CompileOptions.Default), Is.EqualTo(key), "same inputs, same key");
            Assert.That(key, Does.Match("^[0-9a-f]{64}$"));
            foreach (var (what, variant) in variants)
            {
                Assert.That(variant, Is.Not.EqualTo(key), $"changing the {what} must change the key");
            }
            Assert.That(variants.Values.Distinct().Count(), Is.EqualTo(variants.Count));
        });
    }

    [Test]
    public void DefaultDirectoryFollowsWanKernelCache()
    {
        var previous = Environment.GetEnvironmentVariable("WAN_KERNEL_CACHE");
        try
        {
            Environment.SetEnvironmentVariable("WAN_KERNEL_CACHE", _directory);
            Assert.That(KernelCache.CreateDefault().Directory, Is.EqualTo(_directory));
            Environment.SetEnvironmentVariable("WAN_KERNEL_CACHE", null);
            Assert.That(KernelCache.DefaultDirectory, Does.EndWith(Path.Combine("wan-runtime", "kernels")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("WAN_KERNEL_CACHE", previous);
        }
    }
}
