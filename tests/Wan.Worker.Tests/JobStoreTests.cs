using System.Text;
using Wan.Server.Jobs;
using Wan.Server.Jobs.Broker;
using Wan.Testing;

namespace Wan.Worker.Tests;

/// <summary>The job message format and the shared job store's idempotent completion, without a broker.</summary>
public sealed class JobStoreTests
{
    [Test]
    public void TheFirstFinishedRecordWinsAcrossTwoStoreConnections()
    {
        using var dir = new TempDirectory();
        var a = new SqliteJobStore(dir.Combine("jobs.db"));
        var b = new SqliteJobStore(dir.Combine("jobs.db"));
        var now = DateTimeOffset.UtcNow;
        var job = VideoJob.Create(new JobMessage { Id = "j1", Prompt = "fox" }.ToSpec(), 0, "key", now) with { Id = "j1" };
        Assert.That(a.SaveUnlessFinished(job with { State = JobState.Running }), Is.True, "an absent job is inserted");
        a.RecordAttempt("j1", "w1");
        b.RecordAttempt("j1", "w2");
        Assert.That(b.SaveUnlessFinished(job with { State = JobState.Running, Progress = 0.5 }), Is.True, "a running job is updated");
        Assert.That(a.SaveUnlessFinished(job with { State = JobState.Succeeded, ResultPath = "/r/j1.y4m" }), Is.True);
        Assert.That(b.SaveUnlessFinished(job with { State = JobState.Succeeded, ResultPath = "/other/j1.y4m" }), Is.False, "a second completion is refused");
        Assert.That(b.SaveUnlessFinished(job with { State = JobState.Running }), Is.False, "a finished job is not restarted");
        Assert.That(b.Find("j1")!.ResultPath, Is.EqualTo("/r/j1.y4m"));
        Assert.That(a.Attempts("j1"), Is.EqualTo(new[] { "w1", "w2" }));
        Assert.That(a.Find("j2"), Is.Null);
    }

    [TestCase("{\"prompt\":\"x\"}")]
    [TestCase("{\"id\":\"../etc\",\"prompt\":\"x\"}")]
    [TestCase("{\"id\":\"a\",\"prompt\":\"x\",\"format\":\"avi\"}")]
    [TestCase("not json")]
    public void AMessageThatIsNotAJobIsRefusedInOneLine(string body)
    {
        var error = Assert.Throws<InvalidDataException>(() => JobMessage.Parse(Encoding.UTF8.GetBytes(body)))!;
        Assert.That(error.Message, Does.StartWith("job message: ").And.Not.Contain("\n"));
    }

    [Test]
    public void AJobRoundTripsAndTakesTheRequestDefaults()
    {
        var job = JobMessage.Parse(new JobMessage { Id = "a-1", Prompt = "fox", Frames = 9, Seed = 7 }.Serialize());
        var request = job.ToRequest();
        Assert.That((request.Prompt, request.Frames, request.Seed, request.Width), Is.EqualTo(("fox", 9, 7L, new Runtime.Pipeline.GenerationRequest { Prompt = "-" }.Width)));
        Assert.That(job.ToSpec().Format, Is.EqualTo("y4m"));
    }

    [Test]
    public void AnApiJobTravelsWithEverySetting()
    {
        var spec = new JobMessage { Id = "x", Prompt = "fox", Frames = 5, Height = 32, Width = 48, Steps = 3, Seed = 2, GuidanceLow = 1.5, GuidanceHigh = 2.5,
            Shift = 5, Solver = "euler", Fps = 8, Format = "gif", Style = "ink", StyleVersion = "0123456789abcdef",
            Loras = [new VideoLora("a.safetensors", "/l/a.safetensors", new string('0', 64), 0.5f, "low")] }.ToSpec();
        var job = VideoJob.Create(spec, 3, "key", DateTimeOffset.UtcNow);
        var travelled = JobMessage.Parse(JobMessage.From(job).Serialize()).ToSpec();
        Assert.That(travelled with { Loras = [] }, Is.EqualTo(spec with { Loras = [] }));
        Assert.That(travelled.Loras, Is.EqualTo(spec.Loras));
    }
}
