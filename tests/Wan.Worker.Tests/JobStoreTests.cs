using System.Text;
using Wan.Testing;
using Wan.Worker.Jobs;

namespace Wan.Worker.Tests;

/// <summary>The job message format and the SQLite result store's idempotent completion, without a broker.</summary>
public sealed class JobStoreTests
{
    [Test]
    public void TheFirstCompletionWinsAcrossTwoStoreConnections()
    {
        using var dir = new TempDirectory();
        using var a = new SqliteResultStore(dir.Combine("jobs.db"));
        using var b = new SqliteResultStore(dir.Combine("jobs.db"));
        a.RecordAttempt("j1", "w1");
        b.RecordAttempt("j1", "w2");
        Assert.That(a.TryComplete("j1", "w1", "/r/j1.y4m"), Is.True);
        Assert.That(b.TryComplete("j1", "w2", "/other/j1.y4m"), Is.False, "a second completion is refused");
        Assert.That(b.Completion("j1"), Is.EqualTo(a.Completion("j1")));
        Assert.That(b.Completion("j1")!.Worker, Is.EqualTo("w1"));
        Assert.That(a.Attempts("j1"), Is.EqualTo(new[] { "w1", "w2" }));
        Assert.That(a.Completion("j2"), Is.Null);
    }

    [TestCase("{\"prompt\":\"x\"}")]
    [TestCase("{\"id\":\"../etc\",\"prompt\":\"x\"}")]
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
    }
}
