namespace Wan.Server.Jobs;

/// <summary>
/// Durable job records (state, request, result location). The local server uses
/// <see cref="SqliteJobStore"/>; a scale-out deployment shares one store between API nodes and
/// workers. Implementations are thread-safe, and a <see cref="Save"/> that returned is durable.
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

    /// <summary>Jobs still queued or running, oldest first: what a restarted server must deal with.</summary>
    IReadOnlyList<VideoJob> ListUnfinished();
}
