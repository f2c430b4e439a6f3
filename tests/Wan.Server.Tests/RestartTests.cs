using Wan.Server.Caching;
using Wan.Server.Jobs;
using Wan.Server.Tests.Infrastructure;

namespace Wan.Server.Tests;

/// <summary>A restart loses nothing finished, and deals with interrupted jobs by the configured policy.</summary>
public class RestartTests
{
    [TestCase(InterruptedJobPolicy.Fail)]
    [TestCase(InterruptedJobPolicy.Requeue)]
    public async Task RestartKeepsFinishedJobsAndRecoversInterruptedOnes(InterruptedJobPolicy policy)
    {
        var data = Directory.CreateTempSubdirectory("wan-serve-restart-").FullName;
        try
        {
            string finished;
            byte[] video;
            await using (var first = await ServerHarness.StartAsync(dataDirectory: data))
            {
                finished = (await first.SubmitAsync(new { prompt = "kept", frames = 1, height = 16, width = 16, steps = 1, seed = 5 })).Id;
                await first.WaitTerminalAsync(finished);
                video = await first.Client.GetByteArrayAsync($"/v1/videos/{finished}/content");
            }

            // What a killed process leaves: a job marked running, a queued one, a half-written file.
            var store = new SqliteJobStore(Path.Combine(data, "jobs.db"));
            var spec = store.Find(finished)!.Spec with { Prompt = "interrupted" };
            var now = DateTimeOffset.UtcNow;
            var running = VideoJob.Create(spec, 0, ResultCacheKey.Compute("m", spec, []), now) with { State = JobState.Running, StartedAt = now };
            var queued = VideoJob.Create(spec with { Prompt = "waiting" }, 0, "k", now.AddSeconds(1));
            store.Save(running);
            store.Save(queued);
            var partial = Path.Combine(data, "results", $".{running.Id}.mp4.partial-1-abcdef12");
            await File.WriteAllBytesAsync(partial, [1, 2, 3]);

            await using var second = await ServerHarness.StartAsync(dataDirectory: data, configure: o => o.InterruptedJobs = policy);
            var kept = await second.StatusAsync(finished);
            Assert.That(kept.GetProperty("state").GetString(), Is.EqualTo("succeeded"));
            Assert.That(await second.Client.GetByteArrayAsync($"/v1/videos/{finished}/content"), Is.EqualTo(video));
            Assert.That(File.Exists(partial), Is.False, "half-written file removed");

            var afterQueued = await second.WaitTerminalAsync(queued.Id);
            Assert.That(afterQueued.GetProperty("state").GetString(), Is.EqualTo("succeeded"), "a queued job survives a restart");
            var afterRunning = await second.WaitTerminalAsync(running.Id);
            if (policy == InterruptedJobPolicy.Fail)
            {
                Assert.That(afterRunning.GetProperty("state").GetString(), Is.EqualTo("failed"));
                Assert.That(afterRunning.GetProperty("error").GetString(), Is.EqualTo(JobRecovery.InterruptedError));
                Assert.That(second.Runner.Entered, Is.EqualTo(new[] { queued.Id }));
            }
            else
            {
                Assert.That(afterRunning.GetProperty("state").GetString(), Is.EqualTo("succeeded"));
                Assert.That(second.Runner.Entered, Is.EqualTo(new[] { running.Id, queued.Id }), "oldest first");
            }

            // The cache survives too: the first request again is answered without the engine.
            var repeat = await second.SubmitAsync(new { prompt = "kept", frames = 1, height = 16, width = 16, steps = 1, seed = 5 });
            Assert.That(repeat.Cached, Is.True);
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }
}
