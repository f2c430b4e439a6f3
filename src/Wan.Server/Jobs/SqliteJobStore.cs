using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Wan.Server.Jobs;

/// <summary>
/// <see cref="IJobStore"/> in one SQLite file (Microsoft.Data.Sqlite, WAL journal, synchronous=FULL so a
/// saved row survives a power cut). One short-lived pooled connection per call keeps it thread-safe.
/// The request is stored as JSON next to indexed columns for the state and the cache key.
/// </summary>
public sealed class SqliteJobStore : IJobStore
{
    private const string Columns = "id, state, priority, spec, cache_key, cached, progress, created_at, started_at, finished_at, error, result_path, timings";
    private readonly string _connectionString;

    /// <summary>Opens (creating when absent) the database at <paramref name="path"/>.</summary>
    /// <exception cref="SqliteException">the file is not a SQLite database or cannot be opened.</exception>
    public SqliteJobStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, $"""
            CREATE TABLE IF NOT EXISTS jobs (
                id TEXT PRIMARY KEY, state TEXT NOT NULL, priority INTEGER NOT NULL, spec TEXT NOT NULL,
                cache_key TEXT NOT NULL, cached INTEGER NOT NULL, progress REAL NOT NULL, created_at TEXT NOT NULL,
                started_at TEXT, finished_at TEXT, error TEXT, result_path TEXT, timings TEXT);
            CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state);
            CREATE INDEX IF NOT EXISTS jobs_by_cache_key ON jobs(cache_key, state);
            CREATE TABLE IF NOT EXISTS attempts (seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, worker TEXT NOT NULL, started_at TEXT NOT NULL);
            """);
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void Save(VideoJob job) => Write(job, "");

    /// <inheritdoc/>
    public bool SaveUnlessFinished(VideoJob job) =>
        // An upsert that leaves a finished row alone, in one statement: atomic across processes sharing the file.
        Write(job, " ON CONFLICT(id) DO UPDATE SET state = excluded.state, priority = excluded.priority, spec = excluded.spec, cache_key = excluded.cache_key, " +
                   "cached = excluded.cached, progress = excluded.progress, created_at = excluded.created_at, started_at = excluded.started_at, " +
                   "finished_at = excluded.finished_at, error = excluded.error, result_path = excluded.result_path, timings = excluded.timings " +
                   "WHERE jobs.state IN ('queued', 'running')") == 1;

    /// <inheritdoc/>
    public void RecordAttempt(string jobId, string worker)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO attempts (job_id, worker, started_at) VALUES ($id, $worker, $now)";
        command.Parameters.AddWithValue("$id", jobId);
        command.Parameters.AddWithValue("$worker", worker);
        command.Parameters.AddWithValue("$now", Time(DateTimeOffset.UtcNow));
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Attempts(string jobId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT worker FROM attempts WHERE job_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", jobId);
        using var reader = command.ExecuteReader();
        var workers = new List<string>();
        while (reader.Read())
        {
            workers.Add(reader.GetString(0));
        }
        return workers;
    }

    // Without a conflict clause: INSERT OR REPLACE. Returns the rows written.
    private int Write(VideoJob job, string onConflict)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var connection = Open();
        using var command = connection.CreateCommand();
        var verb = onConflict.Length == 0 ? "INSERT OR REPLACE" : "INSERT";
        command.CommandText = $"{verb} INTO jobs ({Columns}) VALUES ($id, $state, $priority, $spec, $key, $cached, $progress, $created, $started, $finished, $error, $result, $timings){onConflict}";
        command.Parameters.AddWithValue("$id", job.Id);
        command.Parameters.AddWithValue("$state", job.State.WireName());
        command.Parameters.AddWithValue("$priority", job.Priority);
        command.Parameters.AddWithValue("$spec", JsonSerializer.Serialize(job.Spec));
        command.Parameters.AddWithValue("$key", job.CacheKey);
        command.Parameters.AddWithValue("$cached", job.Cached ? 1 : 0);
        command.Parameters.AddWithValue("$progress", job.Progress);
        command.Parameters.AddWithValue("$created", Time(job.CreatedAt));
        command.Parameters.AddWithValue("$started", (object?)Time(job.StartedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$finished", (object?)Time(job.FinishedAt) ?? DBNull.Value);
        command.Parameters.AddWithValue("$error", (object?)job.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$result", (object?)job.ResultPath ?? DBNull.Value);
        command.Parameters.AddWithValue("$timings", job.Timings is null ? DBNull.Value : JsonSerializer.Serialize(job.Timings));
        return command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public VideoJob? Find(string id) => Query("WHERE id = $p", id).FirstOrDefault();

    /// <inheritdoc/>
    public VideoJob? FindSucceeded(string cacheKey) =>
        Query("WHERE cache_key = $p AND state = 'succeeded' AND cached = 0 ORDER BY finished_at DESC LIMIT 1", cacheKey).FirstOrDefault();

    /// <inheritdoc/>
    public VideoJob? FindInFlight(string cacheKey) =>
        Query("WHERE cache_key = $p AND state IN ('queued', 'running') ORDER BY created_at LIMIT 1", cacheKey).FirstOrDefault();

    /// <inheritdoc/>
    public IReadOnlyList<VideoJob> ListUnfinished() =>
        Query("WHERE state IN ('queued', 'running') ORDER BY created_at", null);

    /// <inheritdoc/>
    public IReadOnlyList<VideoJob> ListRecent(int limit) =>
        Query($"ORDER BY created_at DESC, rowid DESC LIMIT {Math.Max(0, limit)}", null);

    private List<VideoJob> Query(string where, string? parameter)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM jobs {where}";
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("$p", parameter);
        }
        using var reader = command.ExecuteReader();
        var jobs = new List<VideoJob>();
        while (reader.Read())
        {
            jobs.Add(Read(reader));
        }
        return jobs;
    }

    private VideoJob Read(SqliteDataReader r)
    {
        var id = r.GetString(0);
        return new VideoJob
        {
            Id = id,
            State = JobStates.Parse(r.GetString(1)),
            Priority = r.GetInt32(2),
            Spec = JsonSerializer.Deserialize<VideoSpec>(r.GetString(3)) ?? throw new InvalidDataException($"{Path}: job {id} has an empty request"),
            CacheKey = r.GetString(4),
            Cached = r.GetInt32(5) != 0,
            Progress = r.GetDouble(6),
            CreatedAt = ParseTime(r.GetString(7)),
            StartedAt = r.IsDBNull(8) ? null : ParseTime(r.GetString(8)),
            FinishedAt = r.IsDBNull(9) ? null : ParseTime(r.GetString(9)),
            Error = r.IsDBNull(10) ? null : r.GetString(10),
            ResultPath = r.IsDBNull(11) ? null : r.GetString(11),
            Timings = r.IsDBNull(12) ? null : JsonSerializer.Deserialize<JobTimings>(r.GetString(12)),
        };
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // Round-trip ISO 8601 in UTC: sorts as text, so ORDER BY works on the column.
    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
