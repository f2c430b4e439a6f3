namespace Wan.Server.Jobs;

/// <summary>
/// Durable job records (state, request, result location). The local server uses
/// <see cref="SqliteJobStore"/>; a scale-out deployment shares one store between API nodes and
/// workers (wan-worker records attempts and results in it). Implementations are thread-safe, and a <see cref="Save"/> that returned is durable.
/// </summary>
public interface IJobStore
{
    /// <summary>Inserts or replaces the record of <paramref name="job"/>.</summary>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">the database cannot be written (disk full, read-only).</exception>
    void Save(VideoJob job);

    /// <summary>The job with this id, or null.</summary>
    VideoJob? Find(string id);

    /// <summary>The newest succeeded, non-cached job whose result has this cache key, or null.</summary>
    VideoJob? FindSucceeded(string cacheKey);

    /// <summary>The newest <paramref name="limit"/> jobs, newest first (<c>GET /v1/videos</c>, the page's history).</summary>
    IReadOnlyList<VideoJob> ListRecent(int limit);

    /// <summary>The oldest queued or running job with this cache key, or null: an identical request attaches to it instead of running twice.</summary>
    VideoJob? FindInFlight(string cacheKey);

    /// <summary>Jobs still queued or running, oldest first: what a restarted server must deal with.</summary>
    IReadOnlyList<VideoJob> ListUnfinished();

    /// <summary>
    /// Saves <paramref name="job"/> unless the stored record is already finished (succeeded, failed, cancelled): the
    /// first terminal record of a job wins, which makes scale-out workers idempotent by job id.
    /// </summary>
    /// <returns>true when this call saved it.</returns>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">the database cannot be written.</exception>
    bool SaveUnlessFinished(VideoJob job);

    /// <summary>Records that <paramref name="worker"/> started <paramref name="jobId"/> (a redelivered job gets a second row).</summary>
    void RecordAttempt(string jobId, string worker);

    /// <summary>The workers that started a job, in order.</summary>
    IReadOnlyList<string> Attempts(string jobId);
}
