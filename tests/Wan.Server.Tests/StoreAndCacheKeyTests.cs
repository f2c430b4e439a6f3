using Microsoft.Data.Sqlite;
using Wan.Server.Caching;
using Wan.Server.Jobs;

namespace Wan.Server.Tests;

/// <summary>The SQLite store's round trip and the cache key's canonical form, without a server.</summary>
public class StoreAndCacheKeyTests
{
    private static readonly VideoSpec Spec = new()
    {
        Prompt = "a fox", NegativePrompt = "blurry", Frames = 5, Height = 32, Width = 48, Steps = 3, Seed = 7,
        GuidanceLow = 3, GuidanceHigh = 4, Shift = 12, Solver = "unipc", Fps = 16, Format = "mp4",
    };

    [Test]
    public void StoreRoundTripsEveryField()
    {
        var dir = Directory.CreateTempSubdirectory("wan-store-").FullName;
        try
        {
            var store = new SqliteJobStore(Path.Combine(dir, "jobs.db"));
            var created = new DateTimeOffset(2026, 11, 29, 15, 0, 0, 123, TimeSpan.Zero);
            var job = VideoJob.Create(Spec, 7, "key", created) with
            {
                State = JobState.Succeeded, Progress = 1, Cached = false, StartedAt = created.AddSeconds(1), FinishedAt = created.AddSeconds(9),
                ResultPath = "/x/y.mp4", Timings = new JobTimings(0.5, 6.25, 1.5, 0.125), Error = "none",
            };
            store.Save(job);
            Assert.That(new SqliteJobStore(store.Path).Find(job.Id), Is.EqualTo(job with { Spec = Spec }));
            Assert.That(store.Find("missing"), Is.Null);
            Assert.That(store.FindSucceeded("key")?.Id, Is.EqualTo(job.Id));
            store.Save(job with { State = JobState.Running });
            Assert.That(store.FindSucceeded("key"), Is.Null, "only succeeded jobs answer the cache");
            Assert.That(store.ListUnfinished().Select(j => j.Id), Is.EqualTo(new[] { job.Id }));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void CorruptDatabaseIsRefusedWithSqlitesError()
    {
        var dir = Directory.CreateTempSubdirectory("wan-store-").FullName;
        try
        {
            var path = Path.Combine(dir, "jobs.db");
            File.WriteAllText(path, new string('x', 4096));
            var e = Assert.Throws<SqliteException>(() => _ = new SqliteJobStore(path));
            Assert.That(e!.Message, Does.Contain("not a database"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void StateNamesRoundTripAndUnknownOnesAreRefused()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            Assert.That(JobStates.Parse(state.WireName()), Is.EqualTo(state));
        }
        Assert.Throws<FormatException>(() => JobStates.Parse("paused"));
        Assert.Throws<FormatException>(() => JobStates.Parse("7"));
    }

    [Test]
    public void CacheKeyChangesWithEverythingThatDecidesTheOutput()
    {
        var key = ResultCacheKey.Compute("model", Spec, []);
        Assert.That(key, Does.Match("^[0-9a-f]{64}$"));
        Assert.That(ResultCacheKey.Compute("model", Spec with { }, []), Is.EqualTo(key), "equal specs, equal keys");
        Assert.That(ResultCacheKey.Compute("model", Spec with { GuidanceLow = 3.0000 }, []), Is.EqualTo(key), "3 and 3.0 are the same double");
        VideoSpec[] changed =
        [
            Spec with { Prompt = "a fox " }, Spec with { NegativePrompt = "" }, Spec with { Frames = 9 }, Spec with { Height = 48 },
            Spec with { Width = 32 }, Spec with { Steps = 4 }, Spec with { Seed = 8 }, Spec with { GuidanceLow = 3.0000001 },
            Spec with { GuidanceHigh = 3 }, Spec with { Shift = 5 }, Spec with { Solver = "euler" }, Spec with { Fps = 24 }, Spec with { Format = "gif" },
        ];
        var keys = changed.Select(s => ResultCacheKey.Compute("model", s, [])).Append(key)
            .Append(ResultCacheKey.Compute("other model", Spec, []))
            .Append(ResultCacheKey.Compute("model", Spec, ["lora-a"]))
            .Append(ResultCacheKey.Compute("model", Spec, ["lora-a", "lora-b"]))
            .Append(ResultCacheKey.Compute("model", Spec, ["lora-b", "lora-a"])).ToList();
        Assert.That(keys, Is.Unique);
    }

    [Test]
    public void ModelIdentityFollowsTheFiles()
    {
        var dir = Directory.CreateTempSubdirectory("wan-model-id-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "transformer"));
            File.WriteAllText(Path.Combine(dir, "model_index.json"), "{}");
            File.WriteAllText(Path.Combine(dir, "transformer", "config.json"), "{\"num_layers\": 2}");
            var first = ModelIdentity.Compute(dir);
            Assert.That(ModelIdentity.Compute(dir), Is.EqualTo(first));
            File.WriteAllText(Path.Combine(dir, "transformer", "config.json"), "{\"num_layers\": 3}");
            var edited = ModelIdentity.Compute(dir);
            Assert.That(edited, Is.Not.EqualTo(first), "same size, other content");
            File.Move(Path.Combine(dir, "model_index.json"), Path.Combine(dir, "model_index2.json"));
            Assert.That(ModelIdentity.Compute(dir), Is.Not.EqualTo(edited), "renamed file");
            Assert.Throws<DirectoryNotFoundException>(() => ModelIdentity.Compute(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
