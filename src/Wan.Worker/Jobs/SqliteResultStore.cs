using Microsoft.Data.Sqlite;

namespace Wan.Worker.Jobs;

/// <summary>
/// <see cref="IResultStore"/> in one SQLite file shared by the workers of a machine (WAL journal, busy
/// timeout, so several processes write safely). The job id is the primary key of the results table, so
/// a second completion of one job is a no-op (INSERT OR IGNORE).
/// </summary>
public sealed class SqliteResultStore : IResultStore
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    /// <summary>Opens (creating when absent) the store at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">the file cannot be opened or is not a store.</exception>
    public SqliteResultStore(string path)
    {
        try
        {
            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            _db.Open();
            Execute("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;");
            Execute("""
                CREATE TABLE IF NOT EXISTS results (job_id TEXT PRIMARY KEY, worker TEXT NOT NULL, result_path TEXT NOT NULL, completed_utc TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS attempts (seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, worker TEXT NOT NULL, started_utc TEXT NOT NULL);
                """);
        }
        catch (SqliteException e)
        {
            _db?.Dispose();
            throw new IOException($"{path}: cannot open the result store: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public JobCompletion? Completion(string jobId) => Query("SELECT job_id, worker, result_path, completed_utc FROM results WHERE job_id = $id", jobId).FirstOrDefault();

    /// <inheritdoc/>
    public IReadOnlyList<JobCompletion> Completions() => Query("SELECT job_id, worker, result_path, completed_utc FROM results ORDER BY job_id", null);

    /// <inheritdoc/>
    public void RecordAttempt(string jobId, string worker) =>
        Execute("INSERT INTO attempts (job_id, worker, started_utc) VALUES ($id, $worker, $now)", ("$id", jobId), ("$worker", worker), ("$now", Now()));

    /// <inheritdoc/>
    public bool TryComplete(string jobId, string worker, string resultPath) =>
        Execute("INSERT OR IGNORE INTO results (job_id, worker, result_path, completed_utc) VALUES ($id, $worker, $path, $now)",
            ("$id", jobId), ("$worker", worker), ("$path", resultPath), ("$now", Now())) == 1;

    /// <inheritdoc/>
    public IReadOnlyList<string> Attempts(string jobId)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT worker FROM attempts WHERE job_id = $id ORDER BY seq";
            cmd.Parameters.AddWithValue("$id", jobId);
            using var reader = cmd.ExecuteReader();
            var workers = new List<string>();
            while (reader.Read())
            {
                workers.Add(reader.GetString(0));
            }
            return workers;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _db.Dispose();

    private static string Now() => DateTime.UtcNow.ToString("O");

    private int Execute(string sql, params (string Name, string Value)[] parameters)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                cmd.Parameters.AddWithValue(name, value);
            }
            return cmd.ExecuteNonQuery();
        }
    }

    private List<JobCompletion> Query(string sql, string? jobId)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            if (jobId is not null)
            {
                cmd.Parameters.AddWithValue("$id", jobId);
            }
            using var reader = cmd.ExecuteReader();
            var rows = new List<JobCompletion>();
            while (reader.Read())
            {
                rows.Add(new JobCompletion(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                    DateTime.Parse(reader.GetString(3), null, System.Globalization.DateTimeStyles.RoundtripKind)));
            }
            return rows;
        }
    }
}
